"""KYC tiers as configuration: each tier says which fields must be verified and how much
may be sent. Figures live in TOML so compliance can change them without a release."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

from compliance.kyc._decimal import ConfigError, config_decimal

LIMIT_KEYS = ("per_transfer_usd", "per_day_usd", "per_30d_usd")


@dataclass(frozen=True)
class CorridorLimits:
    """A corridor's override of some of a tier's limits (None keeps the tier's figure)."""

    per_transfer_usd: Decimal | None = None
    per_day_usd: Decimal | None = None
    per_30d_usd: Decimal | None = None


@dataclass(frozen=True)
class Tier:
    """A KYC tier. `required_fields` is cumulative: it includes the fields of lower tiers."""

    name: str
    level: int
    per_transfer_usd: Decimal
    per_day_usd: Decimal
    per_30d_usd: Decimal
    required_fields: tuple[str, ...]
    corridor_limits: tuple[tuple[str, CorridorLimits], ...] = ()
    # Who decides an upgrade to this tier: "provider" (signed webhook results) or "officer"
    # (the console). The lowest tier is reached when its fields are verified (the phone).
    review: str = "officer"

    def for_corridor(self, corridor: str | None) -> Tier:
        """This tier with the corridor's overrides applied (unchanged if it has none)."""
        overrides = dict(self.corridor_limits).get(corridor) if corridor else None
        if overrides is None:
            return self
        changes = {
            k: getattr(overrides, k) for k in LIMIT_KEYS if getattr(overrides, k) is not None
        }
        return replace(self, **changes)

    def to_dict(self) -> dict[str, object]:
        """JSON-friendly form (amounts as strings) for the API and the officer console."""
        return {
            "name": self.name,
            "level": self.level,
            **{k: str(getattr(self, k)) for k in LIMIT_KEYS},
            "required_fields": list(self.required_fields),
            "review": self.review,
        }


def default_tiers_path() -> Path:
    """The tiers.toml shipped inside the package."""
    return Path(str(resources.files("compliance") / "data" / "tiers.toml"))


def load_tiers(path: str | None = None) -> dict[str, Tier]:
    """Tiers by name, ordered by level, from `path` or the shipped tiers.toml."""
    with open(path or default_tiers_path(), "rb") as handle:
        data = tomllib.load(handle)
    return tiers_from_config(data)


def tiers_from_config(data: Mapping[str, Any]) -> dict[str, Tier]:
    """Build and validate tiers from parsed TOML (see compliance/data/tiers.toml)."""
    raw = data.get("tiers")
    if not isinstance(raw, dict) or not raw:
        raise ConfigError("tiers: at least one [tiers.NAME] table is required")
    ordered = sorted(raw.items(), key=lambda item: _level(item[0], item[1]))
    tiers: dict[str, Tier] = {}
    fields: list[str] = []
    seen_levels: set[int] = set()
    for name, table in ordered:
        level = _level(name, table)
        if level in seen_levels:
            raise ConfigError(f"tiers.{name}.level: level {level} is used twice")
        seen_levels.add(level)
        fields.extend(f for f in _fields(name, table) if f not in fields)
        limits = {k: config_decimal(table.get(k), f"tiers.{name}.{k}") for k in LIMIT_KEYS}
        _check_order(name, limits)
        tiers[name] = Tier(
            name=name,
            level=level,
            required_fields=tuple(fields),
            corridor_limits=_corridors(name, table.get("corridors", {})),
            review=_review(name, table),
            **limits,
        )
    return tiers


def _level(name: str, table: Any) -> int:
    level = table.get("level") if isinstance(table, dict) else None
    if not isinstance(level, int) or isinstance(level, bool):
        raise ConfigError(f"tiers.{name}.level: an integer is required")
    return level


REVIEWERS = ("provider", "officer")


def _review(name: str, table: Mapping[str, Any]) -> str:
    review = table.get("review", "officer")
    if review not in REVIEWERS:
        raise ConfigError(f"tiers.{name}.review: one of {', '.join(REVIEWERS)}")
    return review


def _fields(name: str, table: Mapping[str, Any]) -> Iterable[str]:
    fields = table.get("fields", [])
    if not isinstance(fields, list) or not all(isinstance(f, str) and f for f in fields):
        raise ConfigError(f"tiers.{name}.fields: a list of field names is required")
    return fields


def _check_order(name: str, limits: Mapping[str, Decimal]) -> None:
    per_transfer, per_day, per_30d = (limits[k] for k in LIMIT_KEYS)
    if not per_transfer <= per_day <= per_30d:
        raise ConfigError(f"tiers.{name}: limits must satisfy per_transfer <= per_day <= per_30d")


def _corridors(name: str, raw: Any) -> tuple[tuple[str, CorridorLimits], ...]:
    if not isinstance(raw, dict):
        raise ConfigError(f"tiers.{name}.corridors: a table of corridor ids is required")
    result = []
    for corridor, table in sorted(raw.items()):
        where = f"tiers.{name}.corridors.{corridor}"
        unknown = set(table) - set(LIMIT_KEYS)
        if unknown:
            raise ConfigError(f"{where}: unknown keys {sorted(unknown)}")
        values = {k: config_decimal(v, f"{where}.{k}") for k, v in table.items()}
        result.append((corridor, CorridorLimits(**values)))
    return tuple(result)


def load_field_descriptions(path: str | None = None) -> dict[str, str]:
    """Human descriptions of KYC fields (the [fields] table), for 'what is still needed'."""
    with open(path or default_tiers_path(), "rb") as handle:
        data = tomllib.load(handle)
    return {str(k): str(v) for k, v in data.get("fields", {}).items()}


def tier_order(tiers: Mapping[str, Tier]) -> list[Tier]:
    """Tiers from lowest to highest level."""
    return sorted(tiers.values(), key=lambda t: t.level)


def next_tier(tiers: Mapping[str, Tier], current: str | None) -> Tier | None:
    """The tier one level above `current` (the lowest tier if None); None at the top."""
    floor = tiers[current].level if current is not None else None
    for tier in tier_order(tiers):
        if floor is None or tier.level > floor:
            return tier
    return None


def missing_fields(tier: Tier, provided: Iterable[str]) -> tuple[str, ...]:
    """Fields `tier` requires that the customer has not provided yet, in the tier's order."""
    have = set(provided)
    return tuple(f for f in tier.required_fields if f not in have)


def highest_tier_reached(tiers: Mapping[str, Tier], verified: Iterable[str]) -> Tier | None:
    """The highest tier all of whose fields are verified (None if not even the lowest)."""
    have = set(verified)
    reached = None
    for tier in tier_order(tiers):
        if missing_fields(tier, have):
            break
        reached = tier
    return reached
