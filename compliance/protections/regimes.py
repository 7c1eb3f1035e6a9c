"""Regimes: one TOML file per sending regime, so another regime is a file, not code."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

from fx.money import AmountError, non_negative

ANY_COUNTRY = "*"


class RegimeConfigError(ValueError):
    """A regime file is unreadable or a value in it is invalid."""


@dataclass(frozen=True, slots=True)
class Regulator:
    name: str
    phone: str
    website: str


@dataclass(frozen=True, slots=True)
class Provider:
    """Who the sender deals with, as disclosures and receipts must name them."""

    name: str
    phone: str
    website: str


@dataclass(frozen=True, slots=True)
class Regime:
    """The rules one sending regime applies to a remittance."""

    name: str
    title: str
    countries: tuple[str, ...]
    disclosure_rule: str
    coverage_threshold: Mapping[str, Decimal]  # currency -> amount at or under which not covered
    statement: Mapping[str, str]  # language -> "recipient bank fees and foreign taxes" text
    cancellation_rule: str
    cancel_window_minutes: int
    cancellation_notice: Mapping[str, str]  # language -> text with {minutes}
    refund_business_days: int
    error_rule: str
    error_report_days: int
    error_notice: Mapping[str, str]  # language -> text with {days}
    investigate_days: int
    error_report_business_days: int
    acknowledge_business_days: int
    travel_rule: str
    travel_threshold: Mapping[str, Decimal]
    travel_crypto_any_amount: bool
    retention_years: int
    originator_required: tuple[str, ...]
    originator_one_of: tuple[tuple[str, ...], ...]
    beneficiary_required: tuple[str, ...]
    regulators: tuple[Regulator, ...]
    # [retention]: how long the law keeps a person's records; erasure waits for it.
    retention_rule: str = ""
    kyc_retention_years: int = 5  # identity (KYC) records, after the relationship ends
    transfer_retention_years: int = 5  # transfer and travel-rule records, after the transfer

    def covered(self, currency: str, amount: Decimal) -> bool:
        """False for transfers at or under the rule's threshold (in that currency)."""
        limit = self.coverage_threshold.get(currency)
        return limit is None or amount > limit


@dataclass(frozen=True, slots=True)
class Regimes:
    """Every loaded regime; a sending country picks its own, else the `*` baseline."""

    by_name: Mapping[str, Regime]

    def for_country(self, country: str) -> Regime:
        country = country.upper()
        fallback = None
        for regime in self.by_name.values():
            if country in regime.countries:
                return regime
            if ANY_COUNTRY in regime.countries:
                fallback = regime
        if fallback is None:
            raise LookupError(f"no regime covers sending country {country}")
        return fallback


def default_regimes_dir() -> Path:
    return Path(str(resources.files("compliance") / "data" / "regimes"))


def default_provider_path() -> Path:
    return Path(str(resources.files("compliance") / "data" / "provider.toml"))


def _decimal(value: Any, where: str) -> Decimal:
    # Read through its text, as regime files always were (a TOML float included).
    try:
        return non_negative(str(value))
    except AmountError as exc:
        raise RegimeConfigError(
            f"{where}: {value!r} must be a non-negative amount ({exc})"
        ) from None


def _int(section: Mapping[str, Any], key: str, where: str) -> int:
    value = section.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise RegimeConfigError(f"{where}.{key}: a positive whole number is required")
    return value


def _amounts(value: Any, where: str) -> dict[str, Decimal]:
    if not isinstance(value, dict):
        raise RegimeConfigError(f"{where}: a table of currency = amount is required")
    return {str(cur).upper(): _decimal(v, f"{where}.{cur}") for cur, v in value.items()}


def _statement(value: Any, where: str) -> dict[str, str]:
    if not isinstance(value, dict) or "en" not in value:
        raise RegimeConfigError(f"{where}: a table of language = text (with en) is required")
    return {str(k): str(v) for k, v in value.items()}


def _section(data: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    section = data.get(key)
    if not isinstance(section, dict):
        raise RegimeConfigError(f"{where}: [{key}] is missing")
    return section


def regime_from_config(data: Mapping[str, Any], where: str = "regime") -> Regime:
    """Build and validate one regime from parsed TOML (see compliance/data/regimes/)."""
    disc = _section(data, "disclosure", where)
    cancel = _section(data, "cancellation", where)
    errors = _section(data, "error_resolution", where)
    travel = _section(data, "travel_rule", where)
    countries = data.get("countries")
    if not isinstance(countries, list) or not countries:
        raise RegimeConfigError(f"{where}: countries must list the sending countries")
    retention = data.get("retention") or {}
    if not isinstance(retention, dict):
        raise RegimeConfigError(f"{where}: [retention] must be a table")
    regulators = data.get("regulators") or []
    if not regulators:
        raise RegimeConfigError(f"{where}: at least one [[regulators]] entry is required")
    return Regime(
        name=str(data.get("name") or where),
        title=str(data.get("title") or data.get("name") or where),
        countries=tuple(str(c).upper() for c in countries),
        disclosure_rule=str(disc.get("rule", "")),
        coverage_threshold=_amounts(disc.get("coverage_threshold", {}), f"{where}.disclosure"),
        statement=_statement(disc.get("statement"), f"{where}.disclosure.statement"),
        cancellation_rule=str(cancel.get("rule", "")),
        cancel_window_minutes=_int(cancel, "window_minutes", f"{where}.cancellation"),
        cancellation_notice=_statement(cancel.get("notice"), f"{where}.cancellation.notice"),
        refund_business_days=_int(cancel, "refund_business_days", f"{where}.cancellation"),
        error_rule=str(errors.get("rule", "")),
        error_report_days=_int(errors, "report_within_days", f"{where}.error_resolution"),
        error_notice=_statement(errors.get("notice"), f"{where}.error_resolution.notice"),
        investigate_days=_int(errors, "investigate_within_days", f"{where}.error_resolution"),
        error_report_business_days=_int(
            errors, "report_within_business_days", f"{where}.error_resolution"
        ),
        acknowledge_business_days=_int(
            errors, "acknowledge_within_business_days", f"{where}.error_resolution"
        ),
        travel_rule=str(travel.get("rule", "")),
        travel_threshold=_amounts(travel.get("threshold", {}), f"{where}.travel_rule"),
        travel_crypto_any_amount=bool(travel.get("crypto_any_amount", False)),
        retention_years=_int(travel, "retention_years", f"{where}.travel_rule"),
        originator_required=tuple(str(f) for f in travel.get("originator_required", [])),
        originator_one_of=tuple(
            tuple(str(f) for f in g) for g in travel.get("originator_one_of", [])
        ),
        beneficiary_required=tuple(str(f) for f in travel.get("beneficiary_required", [])),
        regulators=tuple(
            Regulator(name=str(r["name"]), phone=str(r["phone"]), website=str(r["website"]))
            for r in regulators
        ),
        retention_rule=str(retention.get("rule", travel.get("rule", ""))),
        kyc_retention_years=_int(
            {"v": retention.get("kyc_years", 5)}, "v", f"{where}.retention.kyc_years"
        ),
        transfer_retention_years=_int(
            {"v": retention.get("transfer_years", travel.get("retention_years", 5))},
            "v",
            f"{where}.retention.transfer_years",
        ),
    )


def load_regimes(directory: str | None = None) -> Regimes:
    """Every `*.toml` in `directory` (default: the regimes shipped with the package)."""
    root = Path(directory) if directory else default_regimes_dir()
    found: dict[str, Regime] = {}
    for path in sorted(root.glob("*.toml")):
        with open(path, "rb") as handle:
            try:
                data = tomllib.load(handle)
            except tomllib.TOMLDecodeError as exc:
                raise RegimeConfigError(f"{path.name}: {exc}") from None
        regime = regime_from_config(data, path.stem)
        found[regime.name] = regime
    if not found:
        raise RegimeConfigError(f"no regime files in {root}")
    return Regimes(by_name=found)


def load_provider(path: str | None = None) -> Provider:
    with open(path or default_provider_path(), "rb") as handle:
        data = tomllib.load(handle)
    try:
        return Provider(name=data["name"], phone=data["phone"], website=data["website"])
    except KeyError as exc:
        raise RegimeConfigError(f"provider file: {exc.args[0]} is missing") from None
