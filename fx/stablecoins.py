"""Stablecoins as assets: fiat-pegged coins (USDC, EURC) and a basket coin.

The basket coin (BSKT) is defined, in the manner of the 2019 Libra reserve, by fixed amounts of
USD, EUR, JPY, GBP and SGD per unit; its value in any currency is the sum of those amounts at
current rates. The amounts were chosen so that 1 BSKT was about 1 USD on the ECB rates of
2026-10-30 (weights about 50/18/14/11/7 %); they are fixed, so the value floats with the market.
Pure definitions and math here; fx.coinrates plugs them into a rate source.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType

from fx.money import COIN_DECIMALS, MONEY_CONTEXT, CurrencyError, is_currency, require_asset
from fx.rate import Rate, join_sources, round_rate


@dataclass(frozen=True)
class Stablecoin:
    """A coin asset: either pegged 1:1 to a fiat currency, or a basket of fixed fiat amounts."""

    code: str
    decimals: int = 6
    peg: str | None = None
    basket: Mapping[str, Decimal] | None = None
    name: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if (self.peg is None) == (self.basket is None):
            raise ValueError(f"{self.code}: give exactly one of peg or basket")
        if self.peg is not None and not is_currency(self.peg):
            raise CurrencyError(f"{self.code}: peg {self.peg!r} is not a fiat currency")
        if self.basket is not None:
            if not self.basket:
                raise ValueError(f"{self.code}: empty basket")
            for code, amount in self.basket.items():
                if not is_currency(code):
                    raise CurrencyError(f"{self.code}: basket currency {code!r} is not fiat")
                if not isinstance(amount, Decimal) or not amount.is_finite() or amount <= 0:
                    raise ValueError(f"{self.code}: basket amount of {code} must be > 0")
            object.__setattr__(self, "basket", MappingProxyType(dict(self.basket)))

    @property
    def is_basket(self) -> bool:
        return self.basket is not None


USDC = Stablecoin("USDC", 6, peg="USD", name="USD Coin")
EURC = Stablecoin("EURC", 6, peg="EUR", name="Euro Coin")
BSKT = Stablecoin(
    "BSKT",
    6,
    basket={
        "USD": Decimal("0.50"),
        "EUR": Decimal("0.16"),
        "JPY": Decimal("22"),
        "GBP": Decimal("0.082"),
        "SGD": Decimal("0.09"),
    },
    name="Remit basket coin",
)
BASKET_COIN = BSKT

COINS: Mapping[str, Stablecoin] = MappingProxyType({c.code: c for c in (USDC, EURC, BSKT)})
assert {c: coin.decimals for c, coin in COINS.items()} == COIN_DECIMALS, "kernel table drifted"


def stablecoin(code: str) -> Stablecoin:
    """The coin with this code, or CurrencyError."""
    try:
        return COINS[code]
    except (KeyError, TypeError):
        raise CurrencyError(f"unknown stablecoin {code!r}") from None


def is_stablecoin(code: object) -> bool:
    return isinstance(code, str) and code in COINS


def settlement_coin_for(currency: str) -> Stablecoin:
    """Default settlement coin for a send currency: EURC for EUR, USDC otherwise.

    Corridors that settle in the basket coin say so in their own configuration.
    """
    require_asset(currency, "currency")
    if is_stablecoin(currency):
        return COINS[currency]
    return EURC if currency == "EUR" else USDC


def basket_value(coin: Stablecoin, legs: Mapping[str, Rate], currency: str) -> Rate:
    """Value of one basket unit in `currency`, from a rate `leg -> currency` for each component.

    Pure: the caller fetches the legs. The result names every source and the oldest time.
    """
    if coin.basket is None:
        raise ValueError(f"{coin.code} is not a basket coin")
    total = Decimal(0)
    for code, amount in coin.basket.items():
        leg = legs.get(code)
        if leg is None or leg.base != code or leg.quote != currency:
            raise ValueError(f"missing rate {code}/{currency} to value {coin.code}")
        total = MONEY_CONTEXT.fma(amount, leg.value, total)
    used = [legs[c] for c in coin.basket]
    source = join_sources([r.source for r in used])
    return Rate(coin.code, currency, round_rate(total), source, min(r.as_of for r in used))
