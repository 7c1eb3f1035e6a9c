"""Stablecoins as assets: the one place a coin, its decimals and its peg (or basket) are stated.

Fiat-pegged coins (USDC, EURC) and a basket coin. The basket coin (BSKT) is defined, in the
manner of the 2019 Libra reserve, by fixed amounts of USD, EUR, JPY, GBP and SGD per unit; its
value in any currency is the sum of those amounts at current rates. The amounts were chosen so
that 1 BSKT was about 1 USD on the ECB rates of 2026-10-30 (weights about 50/18/14/11/7 %);
they are fixed, so the value floats with the market.

Why a table that imports only fx.currency: the money kernel (fx.money) takes the coins'
decimals from here, and the ledger's chart its pegs and baskets, so nothing else restates
them. The arithmetic over these coins (basket value, creation units, coin bought) is in
fx.coinmath.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType

from fx.currency import CurrencyError, is_currency


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

#: Coin -> its decimals (the money kernel's precision for it).
DECIMALS: Mapping[str, int] = MappingProxyType({c.code: c.decimals for c in COINS.values()})

#: Pegged coin -> the fiat currency it is pegged to (and whose reserve backs it).
PEGS: Mapping[str, str] = MappingProxyType(
    {c.code: c.peg for c in COINS.values() if c.peg is not None}
)

#: Basket coins by code.
BASKETS: Mapping[str, Stablecoin] = MappingProxyType(
    {c.code: c for c in COINS.values() if c.is_basket}
)


def stablecoin(code: str) -> Stablecoin:
    """The coin with this code, or CurrencyError."""
    try:
        return COINS[code]
    except (KeyError, TypeError):
        raise CurrencyError(f"unknown stablecoin {code!r}") from None


def is_stablecoin(code: object) -> bool:
    return isinstance(code, str) and code in COINS
