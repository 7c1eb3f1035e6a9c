"""Several rate sources chained by priority, with cross rates through a pivot and max ages.

Why a chain: no single source covers every corridor (the ECB has no NGN), and a live source
may fail; the first fresh answer wins, and a stale one is refused, never used. Every rate keeps
its source and time, so every quote can name them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from fx.money import require_asset
from fx.rate import IDENTITY, Rate, RateSource, RateUnavailable

log = logging.getLogger(__name__)

#: Used for a source that states no max_age of its own and is not named in the mapping.
DEFAULT_MAX_AGE = timedelta(days=1)
#: Tolerated clock skew for a rate stamped slightly in the future.
FUTURE_SKEW = timedelta(minutes=5)


class ChainedRates:
    """RateSource trying `sources` in order; falls through on failure or staleness.

    `max_age` is one timedelta for all sources, or a mapping by source name; a source not in
    the mapping uses its own `max_age` attribute, else DEFAULT_MAX_AGE. If no source has the
    pair directly, it is crossed through `pivot` (each leg from the first source that has it).
    """

    def __init__(
        self,
        sources: Sequence[RateSource],
        max_age: timedelta | Mapping[str, timedelta] | None = None,
        *,
        pivot: str = "USD",
        clock: Callable[[], datetime] | None = None,
        memo_s: float = 0.0,
    ) -> None:
        if not sources:
            raise ValueError("ChainedRates needs at least one source")
        self.sources = list(sources)
        self.max_age = max_age
        self.pivot = require_asset(pivot)
        self.name = "chain(" + ",".join(s.name for s in self.sources) + ")"
        self._clock = clock or (lambda: datetime.now(UTC))
        # Why a memo: under load every quote for a pair walks the same sources for the same
        # answer. An answer is reused for `memo_s` seconds of monotonic time, and only while
        # it is still younger than its source's maximum age.
        self.memo_s = memo_s
        self._memo: dict[tuple[str, str], tuple[float, Rate, timedelta]] = {}

    def max_age_for(self, source: RateSource) -> timedelta:
        if isinstance(self.max_age, timedelta):
            return self.max_age
        if self.max_age is not None and source.name in self.max_age:
            return self.max_age[source.name]
        own = getattr(source, "max_age", None)
        return own if isinstance(own, timedelta) else DEFAULT_MAX_AGE

    async def _first(
        self,
        base: str,
        quote: str,
        now: datetime,
        why: list[str],
        stale: list[tuple[str, datetime, timedelta, timedelta]],
    ) -> tuple[Rate, timedelta] | None:
        for source in self.sources:
            try:
                found = await source.rate(base, quote)
            except RateUnavailable as exc:
                why.append(str(exc))
                continue
            except Exception as exc:  # a broken source must not hide the others
                log.warning("rate source %s raised %r for %s/%s", source.name, exc, base, quote)
                why.append(f"{source.name} error: {type(exc).__name__}")
                continue
            limit = self.max_age_for(source)
            age = found.age(now)
            if age > limit:
                why.append(
                    f"{source.name} rate {base}/{quote} as of {found.as_of.isoformat()} is "
                    f"{_days(age)} old, older than the maximum age {_days(limit)}"
                )
                stale.append((source.name, found.as_of, age, limit))
                continue
            if found.as_of - now > FUTURE_SKEW:
                why.append(f"{source.name} rate {base}/{quote} is stamped in the future")
                continue
            return found, limit
        return None

    async def rate(self, base: str, quote: str) -> Rate:
        require_asset(base, "base")
        require_asset(quote, "quote")
        now = self._clock()
        if base == quote:
            return Rate(base, quote, Decimal(1), IDENTITY, now)
        key = (base, quote)
        memo = self._memo.get(key)
        if memo is not None and memo[0] > time.monotonic() and memo[1].age(now) <= memo[2]:
            return memo[1]
        why: list[str] = []
        stale: list[tuple[str, datetime, timedelta, timedelta]] = []
        found = await self._first(base, quote, now, why, stale)
        if found is None and self.pivot not in (base, quote):
            first = await self._first(base, self.pivot, now, why, stale)
            second = await self._first(self.pivot, quote, now, why, stale) if first else None
            if first is not None and second is not None:
                found = first[0].cross(second[0]), min(first[1], second[1])
        if found is not None:
            if self.memo_s > 0:
                self._memo[key] = (time.monotonic() + self.memo_s, *found)
            return found[0]
        refused = RateUnavailable(
            f"no usable rate for {base}/{quote}: " + "; ".join(dict.fromkeys(why)), base, quote
        )
        refused.stale = list(dict.fromkeys(stale))
        raise refused


def _days(span: timedelta) -> str:
    """A human age: `3 days 4 hours`, `15 minutes`."""
    minutes = int(span.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [f"{days} days"] if days else []
    if hours:
        parts.append(f"{hours} hours")
    if mins and not days:
        parts.append(f"{mins} minutes")
    return " ".join(parts) or "0 minutes"
