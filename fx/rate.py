"""The rate value and the port every rate source implements.

Why separate from the sources: pricing, the chain and stablecoins all need `Rate` and
`RateSource`, while only the wiring needs the concrete sources (and their libraries).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_EVEN, Context, Decimal
from typing import Protocol, runtime_checkable

from fx.money import require_asset

#: Derived rates (inverse, cross) keep this many significant digits. Published reference rates
#: have 5-6, so 12 is exact enough for any amount we quote and keeps quotes readable.
RATE_DIGITS = 12
_RATE_CONTEXT = Context(prec=RATE_DIGITS, rounding=ROUND_HALF_EVEN)
#: Source name of a rate that needs no source (same currency, or a coin and its peg).
IDENTITY = "identity"


class RateUnavailable(Exception):
    """No usable rate: not published, source failing, or older than its maximum age."""

    def __init__(self, message: str, base: str | None = None, quote: str | None = None) -> None:
        super().__init__(message)
        self.base = base
        self.quote = quote
        self.field: str | None = None
        #: Sources refused as too old: (source name, as_of, age, maximum age).
        self.stale: list[tuple[str, datetime, timedelta, timedelta]] = []


@dataclass(frozen=True, slots=True)
class Rate:
    """1 `base` = `value` `quote`, as published by `source` at `as_of` (UTC aware)."""

    base: str
    quote: str
    value: Decimal
    source: str
    as_of: datetime

    def __post_init__(self) -> None:
        require_asset(self.base)
        require_asset(self.quote)
        if not isinstance(self.value, Decimal) or not self.value.is_finite() or self.value <= 0:
            raise ValueError(f"rate {self.base}/{self.quote} must be a positive Decimal")
        if self.as_of.tzinfo is None or self.as_of.utcoffset() is None:
            raise ValueError("rate as_of must be timezone aware (UTC)")

    @property
    def pair(self) -> str:
        return f"{self.base}/{self.quote}"

    def age(self, now: datetime) -> timedelta:
        return now - self.as_of

    def inverse(self) -> Rate:
        """quote -> base, rounded to RATE_DIGITS significant digits."""
        return Rate(
            self.quote,
            self.base,
            _RATE_CONTEXT.divide(Decimal(1), self.value),
            self.source,
            self.as_of,
        )

    def cross(self, other: Rate) -> Rate:
        """Chain base->X with X->quote. Source names both, as_of is the older of the two."""
        if self.quote != other.base:
            raise ValueError(f"cannot cross {self.pair} with {other.pair}")
        source = join_sources([self.source, other.source])
        return Rate(
            self.base,
            other.quote,
            _RATE_CONTEXT.multiply(self.value, other.value),
            source,
            min(self.as_of, other.as_of),
        )

    def to_dict(self) -> dict[str, str]:
        return {
            "base": self.base,
            "quote": self.quote,
            "value": format(self.value, "f"),  # a string: JSON never carries floats
            "source": self.source,
            "as_of": self.as_of.isoformat(),
        }


@runtime_checkable
class RateSource(Protocol):
    """A place rates come from. Raises RateUnavailable when it has no rate for the pair."""

    name: str

    async def rate(self, base: str, quote: str) -> Rate: ...


def round_rate(value: Decimal) -> Decimal:
    """Round a computed rate to RATE_DIGITS significant digits (trailing zeros dropped)."""
    return _RATE_CONTEXT.plus(value).normalize(_RATE_CONTEXT)


def join_sources(sources: list[str]) -> str:
    """Name of a derived rate: its distinct sources joined by '+', a 1:1 peg adding nothing."""
    names = [s for s in dict.fromkeys(sources) if s != IDENTITY] or [IDENTITY]
    return "+".join(names)
