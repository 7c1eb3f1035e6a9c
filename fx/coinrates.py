"""A rate source that understands stablecoins, on top of a fiat rate source.

Why a wrapper: fiat sources know nothing of coins. A pegged coin is quoted as its peg (1:1), a
basket coin as the sum of its components at the fiat source's rates, so USD->USDC, USDC->NGN or
BSKT->EUR all come out of the same port with their sources and times.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from decimal import Decimal

from fx.coinmath import basket_value
from fx.rate import IDENTITY, Rate, RateSource
from fx.stablecoins import COINS, Stablecoin


class StablecoinRates:
    """RateSource: coins resolved here, fiat pairs passed to `inner`."""

    def __init__(self, inner: RateSource) -> None:
        self.inner = inner
        self.name = inner.name

    async def _fiat(self, base: str, quote: str) -> Rate:
        if base == quote:
            return _identity(base)
        return await self.inner.rate(base, quote)

    async def _coin_to_fiat(self, coin: Stablecoin, fiat: str) -> Rate:
        if coin.peg is not None:
            r = await self._fiat(coin.peg, fiat)
            return Rate(coin.code, fiat, r.value, r.source, r.as_of)
        assert coin.basket is not None
        codes = list(coin.basket)
        legs = await asyncio.gather(*(self._fiat(code, fiat) for code in codes))
        return basket_value(coin, dict(zip(codes, legs, strict=True)), fiat)

    async def rate(self, base: str, quote: str) -> Rate:
        base_coin, quote_coin = COINS.get(base), COINS.get(quote)
        if base_coin is None and quote_coin is None:
            return await self.inner.rate(base, quote)
        if base_coin is not None and quote_coin is None:
            return await self._coin_to_fiat(base_coin, quote)
        if base_coin is None and quote_coin is not None:
            return (await self._coin_to_fiat(quote_coin, base)).inverse()
        assert base_coin is not None and quote_coin is not None
        if base == quote:
            return _identity(base)
        via = quote_coin.peg or base_coin.peg or "USD"
        first = await self._coin_to_fiat(base_coin, via)
        second = (await self._coin_to_fiat(quote_coin, via)).inverse()
        return first.cross(second)


def _identity(code: str) -> Rate:
    return Rate(code, code, Decimal(1), IDENTITY, datetime.now(UTC))
