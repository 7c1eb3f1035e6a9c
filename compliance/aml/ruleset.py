"""Loading rules.toml into a RuleSet: the decision policy plus the configured rule instances.
Rules are data: each [[rules]] table names a `kind` from RULE_KINDS and its parameters."""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import timedelta
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from compliance.aml import _convert as c
from compliance.aml.flags import ACTIONS
from compliance.aml.rules import RULE_KINDS, Converter, Rule
from compliance.kyc._decimal import ConfigError

_COMMON: dict[str, Converter] = {
    "name": c.to_str,
    "risk": c.to_risk,
    "enabled": c.to_bool,
}


@dataclass(frozen=True)
class DecisionPolicy:
    """How flags become an outcome: a "reject" flag rejects, a "hold" flag holds, and the
    summed risk (capped at 100) holds at `hold_score` and rejects at `reject_score` if set.
    `sar_threshold_usd`: a non-passing decision at or above it is a SAR candidate."""

    hold_score: int = 40
    reject_score: int | None = None
    sar_threshold_usd: Decimal = Decimal(2000)


@dataclass(frozen=True)
class RuleSet:
    """The decision policy and the rules, with a version digest of the source text."""

    policy: DecisionPolicy
    rules: tuple[Rule, ...]
    version: str = ""

    def active(self) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if r.enabled)

    def history_window(self) -> timedelta:
        """How far back the gateway must load sender and recipient history: the longest
        window of any enabled rule (zero if none looks back)."""
        return max((r.window() for r in self.active()), default=timedelta(0))

    def to_dict(self) -> dict[str, object]:
        """The whole configuration, JSON-friendly, for the console and the audit trail."""
        return {
            "version": self.version,
            "decision": {
                "hold_score": self.policy.hold_score,
                "reject_score": self.policy.reject_score,
                "sar_threshold_usd": str(self.policy.sar_threshold_usd),
            },
            "history_window_s": int(self.history_window().total_seconds()),
            "rules": [r.to_dict() for r in self.rules],
        }

    def rule(self, name: str) -> Rule:
        return next(r for r in self.rules if r.name == name)


def default_rules_path() -> Path:
    """The rules.toml shipped inside the package."""
    return Path(str(resources.files("compliance") / "data" / "rules.toml"))


def load_rules(path: str | None = None) -> RuleSet:
    """The rule set from `path`, or the shipped rules.toml (parsed once and cached)."""
    if path is None:
        return _default_rules()
    return _load(Path(path))


@cache
def _default_rules() -> RuleSet:
    return _load(default_rules_path())


def _load(path: Path) -> RuleSet:
    raw = path.read_bytes()
    data = tomllib.loads(raw.decode("utf-8"))
    return rules_from_config(data, version=hashlib.sha256(raw).hexdigest()[:16])


def rules_from_config(data: Mapping[str, Any], version: str = "") -> RuleSet:
    """Build and validate a RuleSet from parsed TOML (see compliance/data/rules.toml)."""
    unknown = set(data) - {"decision", "rules"}
    if unknown:
        raise ConfigError(f"rules: unknown top-level keys {sorted(unknown)}")
    tables = data.get("rules", [])
    if not isinstance(tables, list):
        raise ConfigError("rules: [[rules]] tables are required")
    rules = tuple(_rule(table, i) for i, table in enumerate(tables))
    names = [r.name for r in rules]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ConfigError(f"rules: rule names must be unique, repeated: {duplicates}")
    return RuleSet(policy=_policy(data.get("decision", {})), rules=rules, version=version)


def _policy(table: Any) -> DecisionPolicy:
    if not isinstance(table, dict) or set(table) - {
        "hold_score",
        "reject_score",
        "sar_threshold_usd",
    }:
        raise ConfigError("decision: only hold_score, reject_score, sar_threshold_usd allowed")
    policy = DecisionPolicy()
    return DecisionPolicy(
        hold_score=c.to_risk(table.get("hold_score", policy.hold_score), "decision.hold_score"),
        reject_score=(
            c.to_risk(table["reject_score"], "decision.reject_score")
            if "reject_score" in table
            else None
        ),
        sar_threshold_usd=c.to_decimal(
            table.get("sar_threshold_usd", policy.sar_threshold_usd),
            "decision.sar_threshold_usd",
        ),
    )


def _rule(table: Any, index: int) -> Rule:
    where = f"rules[{index}]"
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: a table is required")
    kind = table.get("kind")
    cls = RULE_KINDS.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise ConfigError(f"{where}.kind: one of {sorted(RULE_KINDS)} is required, got {kind!r}")
    where = f"rules.{table.get('name', kind)}"
    converters = {**_COMMON, **cls.params}
    unknown = set(table) - set(converters) - {"kind", "action"}
    if unknown:
        raise ConfigError(f"{where}: unknown keys {sorted(unknown)}")
    action = table.get("action", "hold")
    if action not in ACTIONS:
        raise ConfigError(f"{where}.action: one of {list(ACTIONS)} is required, got {action!r}")
    if "risk" not in table:
        raise ConfigError(f"{where}.risk: required (0..100)")
    field_names = {f.metadata.get("key", f.name): f.name for f in fields(cls)}
    values = {
        field_names[key]: convert(table[key], f"{where}.{key}")
        for key, convert in converters.items()
        if key in table
    }
    values.setdefault("name", kind)
    return cls(action=action, **values)
