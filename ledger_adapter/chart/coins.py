"""The coins the ledger settles, derived from fx.stablecoins (never restated here), and coin
units at par with their fiat backing."""

from __future__ import annotations

from fx.money import exponent
from fx.stablecoins import BASKETS, PEGS

__all__ = ["BASKETS", "PEGS", "SETTLEABLE", "require_peg", "scale_to_coin"]

#: Every coin a corridor may settle in: the pegged coins (check() verifies supply == reserve)
#: and the basket coins (reserve per component currency, verified too).
SETTLEABLE: frozenset[str] = frozenset(PEGS) | frozenset(BASKETS)


def scale_to_coin(fiat_minor: int, fiat_currency: str, coin: str) -> int:
    """Fiat minor units -> coin units at par (1.00 USD = 1_000_000 USDC units); exact or error."""
    diff = exponent(coin) - exponent(fiat_currency)
    if diff >= 0:
        return fiat_minor * 10**diff
    q, r = divmod(fiat_minor, 10**-diff)
    if r:
        raise ValueError(f"{fiat_minor} {fiat_currency} minor units are not whole {coin} units")
    return q


def require_peg(fiat_currency: str, coin: str) -> None:
    """Refuse to mint or burn a coin against a currency that does not back it."""
    if PEGS.get(coin) != fiat_currency:
        raise ValueError(f"{coin} is not backed by {fiat_currency}")
