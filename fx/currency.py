"""ISO 4217 fiat currencies and their minor units: the one table below the coin table.

Why its own module: fx.stablecoins checks its pegs against it and fx.money builds on both, so
this imports nothing of ours. Exponents come from the `iso4217` package, not babel, because
CLDR's digits differ from ISO for IQD, RSD and ALL.
"""

from __future__ import annotations

from functools import cache

from iso4217 import Currency


class CurrencyError(ValueError):
    """An unknown or unsupported currency or asset code."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@cache
def fiat_exponents() -> dict[str, int]:
    """Every ISO 4217 currency with a minor unit, and its number of decimals."""
    # Funds codes and metals (XAU, XDR, XXX ...) have no exponent in ISO 4217: not money here.
    return {c.code: c.exponent for c in Currency if c.exponent is not None}


def is_currency(code: object) -> bool:
    """True for an active ISO 4217 fiat currency code (exactly as written, upper case)."""
    return isinstance(code, str) and code in fiat_exponents()
