"""Business days for the regimes' clocks (refund within 3 business days, report within 3)."""

from __future__ import annotations

from datetime import date, timedelta


def add_business_days(start: date, days: int) -> date:
    """`days` weekdays after `start` (Saturdays and Sundays skipped; no holiday calendar)."""
    current = start
    left = days
    while left > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            left -= 1
    return current
