"""Business days for the regimes' clocks (refund within 3 business days, acknowledge within 1,
report within 3), on the sending country's calendar: its public holidays and its weekend, from
the `holidays` package (maintained per country, weekends included: Friday-Saturday where that
is the law). `EU` (the SEPA corridors' sending side) uses the TARGET2 calendar of the ECB, the
days euro payments settle. No country, or one the package does not know: weekends only."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays

# Sending "countries" that are areas: the financial calendar their payments run on.
AREA_CALENDARS = {"EU": "XECB"}
WEEKEND = frozenset({5, 6})


@lru_cache(maxsize=256)
def _calendar(country: str | None, year: int) -> tuple[frozenset[date], frozenset[int]]:
    """(the holidays, the weekend days) of one country in one year."""
    if not country:
        return frozenset(), WEEKEND
    code = country.upper()
    try:
        if code in AREA_CALENDARS:
            found = holidays.financial_holidays(AREA_CALENDARS[code], years=year)
        else:
            found = holidays.country_holidays(code, years=year)
    except NotImplementedError:  # a country the package has no calendar for
        return frozenset(), WEEKEND
    weekend = frozenset(getattr(found, "weekend", WEEKEND) or WEEKEND)
    return frozenset(found.keys()), weekend


def is_business_day(day: date, country: str | None = None) -> bool:
    closed, weekend = _calendar(country, day.year)
    return day.weekday() not in weekend and day not in closed


def add_business_days(start: date, days: int, country: str | None = None) -> date:
    """`days` business days after `start` in `country` (weekends and public holidays skipped)."""
    current = start
    left = days
    while left > 0:
        current += timedelta(days=1)
        if is_business_day(current, country):
            left -= 1
    return current
