"""forex-python as a live rate source.

forex-python is blocking (requests, no timeout of its own), so each call runs in a worker
thread, bounded by `timeout`, retried with tenacity, and any failure becomes RateUnavailable so
the chain falls through to the next source. Off by default: there may be no network.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol

from tenacity import AsyncRetrying, stop_after_attempt, wait_exponential

from fx.money import AmountError, to_decimal
from fx.rate import Rate, RateUnavailable

LIVE_MAX_AGE = timedelta(minutes=15)


class BlockingRateClient(Protocol):
    """The slice of forex_python.converter.CurrencyRates we use (fakes implement it in tests)."""

    def get_rate(self, base_cur: str, dest_cur: str) -> Any: ...


def _default_client() -> BlockingRateClient:
    from forex_python.converter import CurrencyRates

    return CurrencyRates(force_decimal=True)


class ForexPythonRates:
    """RateSource calling forex-python off the event loop with timeout and retries."""

    def __init__(
        self,
        client: BlockingRateClient | None = None,
        *,
        timeout: float = 5.0,
        attempts: int = 3,
        backoff: float = 0.2,
        max_age: timedelta = LIVE_MAX_AGE,
        clock: Callable[[], datetime] | None = None,
        name: str = "forex-python",
    ) -> None:
        self._client = client
        self.timeout = timeout
        self.attempts = attempts
        self.backoff = backoff
        self.max_age = max_age
        self.name = name
        self._clock = clock or (lambda: datetime.now(UTC))

    def _get_client(self) -> BlockingRateClient:
        if self._client is None:
            self._client = _default_client()
        return self._client

    async def _once(self, base: str, quote: str) -> Decimal:
        client = self._get_client()
        raw = await asyncio.wait_for(
            asyncio.to_thread(client.get_rate, base, quote), timeout=self.timeout
        )
        # A library float crosses into Decimal through str, once, here at the edge.
        value = to_decimal(raw if isinstance(raw, Decimal | int | str) else str(raw))
        if value <= 0:
            raise AmountError(f"non-positive rate {value}")
        return value

    async def rate(self, base: str, quote: str) -> Rate:
        try:
            async for attempt in AsyncRetrying(
                stop=stop_after_attempt(self.attempts),
                wait=wait_exponential(multiplier=self.backoff, max=2),
                reraise=True,
            ):
                with attempt:
                    value = await self._once(base, quote)
        except Exception as exc:  # any failure of a live source means "try the next one"
            reason = "timed out" if isinstance(exc, TimeoutError) else f"{type(exc).__name__}"
            raise RateUnavailable(
                f"{self.name} failed for {base}/{quote} after {self.attempts} attempts: "
                f"{reason} {exc}".rstrip(),
                base,
                quote,
            ) from exc
        return Rate(base, quote, value, self.name, self._clock())
