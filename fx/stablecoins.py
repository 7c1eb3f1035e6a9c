"""Stablecoins as assets: fiat-pegged coins (USDC, EURC) and a basket coin.

The basket coin (BSKT) is defined, in the manner of the 2019 Libra reserve, by fixed amounts of
USD, EUR, JPY, GBP and SGD per unit; its value in any currency is the sum of those amounts at
current rates. The amounts were chosen so that 1 BSKT was about 1 USD on the ECB rates of
2026-10-30 (weights about 50/18/14/11/7 %); they are fixed, so the value floats with the market.
Pure definitions and math here; fx.coinrates plugs them into a rate source.

Issuing the basket coin (see `creation_unit`): a reserve held per component currency can only
move whole minor units, and 1 BSKT holds 8.2 pence and 22 yen, so BSKT is minted and burnt in
whole creation units (5 BSKT = 2.50 USD + 0.80 EUR + 110 JPY + 0.41 GBP + 0.45 SGD), each
component exact to the minor unit. Buying a smaller amount (a remittance of 96.51 USD buys about
95.8 BSKT) mints the creation units that cover it; the rest of the last unit is change the
issuer holds and burns with it. No component amount is ever rounded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from fractions import Fraction
from math import lcm
from types import MappingProxyType

from fx.money import (
    COIN_DECIMALS,
    MONEY_CONTEXT,
    CurrencyError,
    exponent,
    is_currency,
    require_asset,
)
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


def _per_unit(coin: Stablecoin) -> dict[str, Fraction]:
    """Component minor units held per coin unit (10**-decimals of a coin), exact fractions."""
    if coin.basket is None:
        raise ValueError(f"{coin.code} is not a basket coin")
    return {
        code: Fraction(amount) * 10 ** exponent(code) / 10**coin.decimals
        for code, amount in coin.basket.items()
    }


def creation_unit(coin: Stablecoin) -> int:
    """The fewest coin units whose reserve is whole minor units of every component.

    Why: a ledger account holds whole minor units, so minting any other amount would round a
    component and supply would no longer equal reserve. BSKT: 5_000_000 units (5 BSKT), set by
    GBP 0.082 (41 pence per 5 coins) and JPY 22 (no minor unit).
    """
    return lcm(*(f.denominator for f in _per_unit(coin).values()))


def basket_reserve(coin: Stablecoin, units: int) -> dict[str, int]:
    """Minor units of each component that back `units` of coin; `units` must be whole creation
    units (anything else cannot be backed exactly and is refused, never rounded)."""
    if units < 0 or units % creation_unit(coin):
        raise ValueError(f"{units} {coin.code} units are not whole creation units")
    return {code: int(f * units) for code, f in _per_unit(coin).items()}


def units_to_issue(coin: Stablecoin, units: int) -> int:
    """`units` rounded up to whole creation units: what is minted to deliver `units`."""
    cu = creation_unit(coin)
    return -(-units // cu) * cu


def coin_units_for(amount: Decimal, unit_value: Decimal, coin: Stablecoin) -> int:
    """Coin units that `amount` buys at `unit_value` (the price of one coin in the amount's
    currency), rounded down: never promise more coin than was paid for."""
    if unit_value <= 0:
        raise ValueError(f"{coin.code}: unit value must be positive")
    coins = MONEY_CONTEXT.divide(amount, unit_value)
    return int(coins.scaleb(coin.decimals).to_integral_value(rounding=ROUND_DOWN))
