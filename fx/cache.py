"""A short-lived cache in front of a slow rate source (the live one).

Why: a live source costs a network round trip per call; quotes for the same pair within a few
seconds can share one answer. A rate keeps its own as_of, so the chain's max age still judges
it, and one lookup per pair is in flight at a time (no stampede when the cache expires).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from fx.rate import Rate, RateSource


class CachedRates:
    """RateSource keeping each pair's last answer for `ttl`; failures are not cached."""

    def __init__(
        self,
        inner: RateSource,
        ttl: timedelta = timedelta(seconds=30),
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.inner = inner
        self.ttl = ttl
        self.name = inner.name
        own = getattr(inner, "max_age", None)
        if isinstance(own, timedelta):
            self.max_age = own
        self._clock = clock or (lambda: datetime.now(UTC))
        self._entries: dict[tuple[str, str], tuple[datetime, Rate]] = {}
        self._locks: dict[tuple[str, str], asyncio.Lock] = {}

    def _fresh(self, key: tuple[str, str]) -> Rate | None:
        entry = self._entries.get(key)
        if entry is not None and self._clock() - entry[0] < self.ttl:
            return entry[1]
        return None

    async def rate(self, base: str, quote: str) -> Rate:
        key = (base, quote)
        hit = self._fresh(key)
        if hit is not None:
            return hit
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            hit = self._fresh(key)  # another task may have fetched it while we waited
            if hit is not None:
                return hit
            found = await self.inner.rate(base, quote)
            self._entries[key] = (self._clock(), found)
            return found

    def clear(self) -> None:
        self._entries.clear()
