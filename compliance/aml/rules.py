"""The rule kinds. Each is a frozen dataclass of its parameters (from rules.toml) with a pure
`check(facts, now) -> Flag | None` and the history `window()` it needs. Windows are half-open:
an earlier transfer counts when `now - window < at`, so one exactly a window old is out."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, ClassVar

from compliance.aml import _convert as c
from compliance.aml.facts import PastTransfer, TransferFacts
from compliance.aml.flags import Action, Flag

Converter = Callable[[object, str], Any]


@dataclass(frozen=True, kw_only=True)
class Rule:
    """Parameters shared by every rule: a unique name, the risk it adds, what it does alone."""

    kind: ClassVar[str] = ""
    params: ClassVar[dict[str, Converter]] = {}

    name: str
    risk: int
    action: Action = "hold"
    enabled: bool = True

    def window(self) -> timedelta:
        """How far back this rule looks into history (zero: it needs none)."""
        return timedelta(0)

    def check(self, facts: TransferFacts, now: datetime) -> Flag | None:
        raise NotImplementedError

    def to_dict(self) -> dict[str, object]:
        """The rule's configuration, JSON-friendly (for the console and audit entries)."""
        data: dict[str, object] = {"kind": self.kind}
        for f in fields(self):
            value = getattr(self, f.name)
            key = f.metadata.get("key", f.name)
            if isinstance(value, tuple) and value and isinstance(value[0], TravelRuleTier):
                data[key] = [tier.to_dict() for tier in value]
            elif isinstance(value, (int, bool)) or value is None:
                data[key] = value
            elif isinstance(value, (tuple, frozenset)):
                items = sorted(value) if isinstance(value, frozenset) else value
                data[key] = [str(v) for v in items]
            else:
                data[key] = _text(value)
        return data

    def flag(self, reason: str, **figures: object) -> Flag:
        return Flag(
            rule=self.name,
            reason=reason,
            risk=self.risk,
            figures={k: _text(v) for k, v in figures.items()},
            action=self.action,
            kind=self.kind,
        )


def _text(value: object) -> str:
    if isinstance(value, timedelta):
        return _window_text(value)
    if isinstance(value, (list, tuple, frozenset, set)):
        return ",".join(sorted(str(v) for v in value))
    return str(value)


def _window_text(window: timedelta) -> str:
    seconds = int(window.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0 and (unit != "d" or seconds >= 2 * 86400):  # "24h", not "1d"
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def within(history: Iterable[PastTransfer], now: datetime, window: timedelta) -> list[PastTransfer]:
    """The transfers inside the half-open window (now - window, ...]."""
    start = now - window
    return [t for t in history if t.at > start]


@dataclass(frozen=True, kw_only=True)
class Velocity(Rule):
    """Too many transfers, or too much money, from one sender inside a window (this one
    included). Reaching a maximum exactly is allowed."""

    kind: ClassVar[str] = "velocity"
    params: ClassVar[dict[str, Converter]] = {
        "window": c.to_window,
        "max_count": c.to_int,
        "max_amount_usd": c.to_decimal,
    }
    window_: timedelta = field(default=timedelta(hours=24), metadata={"key": "window"})
    max_count: int | None = None
    max_amount_usd: Decimal | None = None

    def window(self) -> timedelta:
        return self.window_

    def check(self, facts: TransferFacts, now: datetime) -> Flag | None:
        recent = within(facts.sender_history, now, self.window_)
        count = len(recent) + 1
        total = sum((t.amount_usd for t in recent), facts.amount_usd)
        over_count = self.max_count is not None and count > self.max_count
        over_amount = self.max_amount_usd is not None and total > self.max_amount_usd
        if not (over_count or over_amount):
            return None
        what = " and ".join(
            part
            for part, on in (
                (f"{count} transfers (max {self.max_count})", over_count),
                (f"USD {total} (max {self.max_amount_usd})", over_amount),
            )
            if on
        )
        return self.flag(
            f"sender velocity in {_window_text(self.window_)}: {what}",
            window=self.window_,
            count=count,
            max_count=self.max_count if self.max_count is not None else "",
            amount_usd=total,
            max_amount_usd=self.max_amount_usd if self.max_amount_usd is not None else "",
        )


@dataclass(frozen=True, kw_only=True)
class Structuring(Rule):
    """Several transfers just under a reporting threshold within days: at least `min_count`
    (this one included) with amount in [threshold * (1 - band_percent/100), threshold)."""

    kind: ClassVar[str] = "structuring"
    params: ClassVar[dict[str, Converter]] = {
        "window": c.to_window,
        "thresholds_usd": c.to_decimals,
        "band_percent": c.to_decimal,
        "min_count": c.to_int,
    }
    window_: timedelta = field(default=timedelta(days=7), metadata={"key": "window"})
    thresholds_usd: tuple[Decimal, ...] = (Decimal(3000), Decimal(10000))
    band_percent: Decimal = Decimal(10)
    min_count: int = 3

    def window(self) -> timedelta:
        return self.window_

    def band_floor(self, threshold: Decimal) -> Decimal:
        return threshold * (100 - self.band_percent) / 100

    def check(self, facts: TransferFacts, now: datetime) -> Flag | None:
        amounts = [t.amount_usd for t in within(facts.sender_history, now, self.window_)]
        amounts.append(facts.amount_usd)
        for threshold in sorted(self.thresholds_usd):
            floor = self.band_floor(threshold)
            if not floor <= facts.amount_usd < threshold:
                continue  # the transfer being screened must itself sit in the band
            near = [a for a in amounts if floor <= a < threshold]
            if len(near) >= self.min_count:
                return self.flag(
                    f"{len(near)} transfers just under USD {threshold} within "
                    f"{_window_text(self.window_)} (total USD {sum(near)})",
                    threshold_usd=threshold,
                    band_floor_usd=floor,
                    count=len(near),
                    min_count=self.min_count,
                    total_usd=sum(near),
                    window=self.window_,
                )
        return None


@dataclass(frozen=True)
class TravelRuleTier:
    """At or above `amount` (per currency; USD applies to any other currency through
    amount_usd), these originator and beneficiary details are required. A requirement
    "a|b|c" is met by any one of them."""

    amount: tuple[tuple[str, Decimal], ...]
    originator: tuple[str, ...] = ()
    beneficiary: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {
            "amount": {k: str(v) for k, v in self.amount},
            "originator": list(self.originator),
            "beneficiary": list(self.beneficiary),
        }

    def applies(self, facts: TransferFacts) -> tuple[bool, str, Decimal, Decimal]:
        """(applies, currency compared, threshold, observed amount)."""
        by_currency = dict(self.amount)
        currency = (facts.send_currency or "").upper()
        if currency in by_currency and facts.send_amount is not None:
            observed = facts.send_amount
        elif "USD" in by_currency:
            currency, observed = "USD", facts.amount_usd
        else:
            return False, "", Decimal(0), Decimal(0)
        threshold = by_currency[currency]
        return observed >= threshold, currency, threshold, observed


def _missing(required: Iterable[str], present: frozenset[str]) -> list[str]:
    return [r for r in required if not any(alt in present for alt in r.split("|"))]


def _to_travel_tiers(value: object, where: str) -> tuple[TravelRuleTier, ...]:
    if not isinstance(value, list) or not value:
        raise c.ConfigError(f"{where}: a list of [[rules.tiers]] tables is required")
    tiers = []
    for i, table in enumerate(value):
        here = f"{where}[{i}]"
        if not isinstance(table, dict) or set(table) - {"amount", "originator", "beneficiary"}:
            raise c.ConfigError(f"{here}: only amount, originator, beneficiary are allowed")
        tiers.append(
            TravelRuleTier(
                amount=c.to_currency_amounts(table.get("amount"), f"{here}.amount"),
                originator=c.to_strs(table.get("originator", []), f"{here}.originator"),
                beneficiary=c.to_strs(table.get("beneficiary", []), f"{here}.beneficiary"),
            )
        )
    return tuple(tiers)


@dataclass(frozen=True, kw_only=True)
class TravelRule(Rule):
    """FATF R.16 (and FinCEN's recordkeeping rule): at or above a threshold the originator and
    beneficiary details must travel with the transfer; any missing one fires."""

    kind: ClassVar[str] = "travel_rule"
    params: ClassVar[dict[str, Converter]] = {"tiers": _to_travel_tiers}
    tiers: tuple[TravelRuleTier, ...] = ()

    def check(self, facts: TransferFacts, now: datetime) -> Flag | None:
        missing_o: list[str] = []
        missing_b: list[str] = []
        trigger: tuple[str, Decimal, Decimal] | None = None
        for tier in self.tiers:
            applies, currency, threshold, observed = tier.applies(facts)
            if not applies:
                continue
            found_o = _missing(tier.originator, facts.originator_fields)
            found_b = _missing(tier.beneficiary, facts.beneficiary_fields)
            missing_o += [m for m in found_o if m not in missing_o]
            missing_b += [m for m in found_b if m not in missing_b]
            if (found_o or found_b) and trigger is None:
                trigger = (currency, threshold, observed)
        if trigger is None:
            return None
        currency, threshold, observed = trigger
        return self.flag(
            f"travel rule: {currency} {observed} is at or above {currency} {threshold} and "
            f"required details are missing (originator: {', '.join(missing_o) or 'none'}; "
            f"beneficiary: {', '.join(missing_b) or 'none'})",
            currency=currency,
            threshold=threshold,
            amount=observed,
            missing_originator=",".join(missing_o),
            missing_beneficiary=",".join(missing_b),
        )


@dataclass(frozen=True, kw_only=True)
class HighRiskJurisdiction(Rule):
    """A party's country is on a configured list (FATF call for action by default)."""

    kind: ClassVar[str] = "high_risk_jurisdiction"
    params: ClassVar[dict[str, Converter]] = {"countries": c.to_countries, "list_name": c.to_str}
    countries: frozenset[str] = frozenset()
    list_name: str = "high_risk"

    def check(self, facts: TransferFacts, now: datetime) -> Flag | None:
        hits = [country for country in facts.countries() if country in self.countries]
        if not hits:
            return None
        return self.flag(
            f"high-risk jurisdiction on list {self.list_name}: {', '.join(hits)}",
            countries=hits,
            list=self.list_name,
        )


@dataclass(frozen=True, kw_only=True)
class RoundAmount(Rule):
    """A large amount that is an exact multiple of `multiple` in the sender's currency."""

    kind: ClassVar[str] = "round_amount"
    params: ClassVar[dict[str, Converter]] = {
        "multiple": c.to_decimal,
        "min_amount_usd": c.to_decimal,
    }
    multiple: Decimal = Decimal(1000)
    min_amount_usd: Decimal = Decimal(1000)

    def check(self, facts: TransferFacts, now: datetime) -> Flag | None:
        amount = facts.send_amount if facts.send_amount is not None else facts.amount_usd
        currency = facts.send_currency if facts.send_amount is not None else "USD"
        if self.multiple <= 0 or facts.amount_usd < self.min_amount_usd:
            return None
        if amount % self.multiple != 0:
            return None
        return self.flag(
            f"round amount: {currency} {amount} is a multiple of {self.multiple}",
            amount=amount,
            currency=currency,
            multiple=self.multiple,
            min_amount_usd=self.min_amount_usd,
        )


@dataclass(frozen=True, kw_only=True)
class _AtLeast(Rule):
    """A transfer of at least `min_amount_usd` (each subclass has its default) that the rule
    is about (`about`); the flag reads `text` with {amount} and {minimum}."""

    params: ClassVar[dict[str, Converter]] = {"min_amount_usd": c.to_decimal}
    text: ClassVar[str]
    min_amount_usd: Decimal

    def about(self, facts: TransferFacts) -> bool:
        return True

    def check(self, facts: TransferFacts, now: datetime) -> Flag | None:
        minimum = self.min_amount_usd
        if not self.about(facts) or facts.amount_usd < minimum:
            return None
        return self.flag(
            self.text.format(amount=facts.amount_usd, minimum=minimum),
            amount_usd=facts.amount_usd,
            min_amount_usd=minimum,
        )


@dataclass(frozen=True, kw_only=True)
class NewRecipientLarge(_AtLeast):
    """A large first transfer to a recipient this sender never paid before."""

    kind: ClassVar[str] = "new_recipient_large"
    text: ClassVar[str] = (
        "first transfer to a new recipient is USD {amount} (at or above USD {minimum})"
    )
    min_amount_usd: Decimal = Decimal(2000)

    def about(self, facts: TransferFacts) -> bool:
        return facts.recipient_is_new


@dataclass(frozen=True, kw_only=True)
class LargeAmount(_AtLeast):
    """At or above a reporting threshold (USD 10,000 currency reporting by default)."""

    kind: ClassVar[str] = "large_amount"
    text: ClassVar[str] = "USD {amount} is at or above the reporting threshold USD {minimum}"
    min_amount_usd: Decimal = Decimal(10000)


@dataclass(frozen=True, kw_only=True)
class _Fan(Rule):
    """Too many distinct counterparts inside a window (this transfer's included). A subclass
    names whose history it reads, whom it counts (`counted`, also the name of its figure and,
    with "max_", of its limit) and how the flag reads."""

    counted: ClassVar[str]
    text: ClassVar[str]  # the flag's reason, with {count}, {window} and {limit}
    window_: timedelta = field(default=timedelta(days=7), metadata={"key": "window"})

    def window(self) -> timedelta:
        return self.window_

    def counterparts(self, facts: TransferFacts, now: datetime) -> set[str]:
        raise NotImplementedError

    def check(self, facts: TransferFacts, now: datetime) -> Flag | None:
        count = len(self.counterparts(facts, now))
        limit = getattr(self, f"max_{self.counted}")
        if count <= limit:
            return None
        return self.flag(
            self.text.format(count=count, window=_window_text(self.window_), limit=limit),
            **{self.counted: count, f"max_{self.counted}": limit, "window": self.window_},
        )


@dataclass(frozen=True, kw_only=True)
class FanIn(_Fan):
    """Many distinct senders paying one recipient inside a window (this sender included)."""

    kind: ClassVar[str] = "fan_in"
    params: ClassVar[dict[str, Converter]] = {"window": c.to_window, "max_senders": c.to_int}
    counted: ClassVar[str] = "senders"
    text: ClassVar[str] = "{count} distinct senders to one recipient within {window} (max {limit})"
    max_senders: int = 5

    def counterparts(self, facts: TransferFacts, now: datetime) -> set[str]:
        recent = within(facts.recipient_history, now, self.window_)
        return {t.sender_id for t in recent} | {facts.sender_id}


@dataclass(frozen=True, kw_only=True)
class FanOut(_Fan):
    """One sender paying many distinct recipients inside a window (this one included)."""

    kind: ClassVar[str] = "fan_out"
    params: ClassVar[dict[str, Converter]] = {"window": c.to_window, "max_recipients": c.to_int}
    counted: ClassVar[str] = "recipients"
    text: ClassVar[str] = "sender paid {count} distinct recipients within {window} (max {limit})"
    max_recipients: int = 5

    def counterparts(self, facts: TransferFacts, now: datetime) -> set[str]:
        recent = within(facts.sender_history, now, self.window_)
        return {t.recipient_key for t in recent} | {facts.recipient_key}


# kind (as written in rules.toml) -> rule class: the registry the loader builds from.
RULE_KINDS: dict[str, type[Rule]] = {
    cls.kind: cls
    for cls in (
        Velocity,
        Structuring,
        TravelRule,
        HighRiskJurisdiction,
        RoundAmount,
        NewRecipientLarge,
        LargeAmount,
        FanIn,
        FanOut,
    )
}
