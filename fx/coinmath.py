"""Arithmetic over the coin table (fx.stablecoins): default settlement coin, basket value,
creation units and the coin an amount buys. Pure; fx.coinrates plugs the basket value into a
rate source.

Issuing the basket coin (see `creation_unit`): a reserve held per component currency can only
move whole minor units, and 1 BSKT holds 8.2 pence and 22 yen, so BSKT is minted and burnt in
whole creation units (5 BSKT = 2.50 USD + 0.80 EUR + 110 JPY + 0.41 GBP + 0.45 SGD), each
component exact to the minor unit. Buying a smaller amount (a remittance of 96.51 USD buys about
95.8 BSKT) mints the creation units that cover it; the rest of the last unit is change the
issuer holds and burns with it. No component amount is ever rounded.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_DOWN, Decimal
from fractions import Fraction
from math import lcm

from fx.money import MONEY_CONTEXT, exponent, require_asset
from fx.rate import Rate, join_sources, round_rate
from fx.stablecoins import COINS, EURC, USDC, Stablecoin, is_stablecoin


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
