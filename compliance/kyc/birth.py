"""Plausible birth dates: a person between `AgeRange.min_years` and `max_years` old today.

Why: a birth date is screened against the sanctions lists and decides who may send; `0001-01-01`
or a date next week is not anybody's, and accepting it only hides that a field was faked or
mistyped. The range is configuration (REMIT_BIRTH_AGE_MIN, REMIT_BIRTH_AGE_MAX); plain Python,
no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class AgeRange:
    min_years: int = 16
    max_years: int = 120

    def __post_init__(self) -> None:
        if not 0 <= self.min_years < self.max_years <= 150:
            raise ValueError(
                f"birth age range {self.min_years}..{self.max_years} is not 0 <= min < max <= 150"
            )

    def bounds(self, today: date) -> tuple[date, date]:
        """(earliest, latest) birth date allowed today, both included."""
        return _years_before(today, self.max_years + 1, plus_one_day=True), _years_before(
            today, self.min_years
        )


def _years_before(today: date, years: int, plus_one_day: bool = False) -> date:
    try:
        day = today.replace(year=today.year - years)
    except ValueError:  # 29 February in a year without one
        day = today.replace(year=today.year - years, day=28)
    if plus_one_day:
        day = date.fromordinal(day.toordinal() + 1)
    return day


def birth_date_problem(value: date | str, today: date, ages: AgeRange) -> str | None:
    """Why `value` is not a plausible birth date (None when it is). Text must be YYYY-MM-DD."""
    if isinstance(value, str):
        if not _ISO_DATE.fullmatch(value):
            return "must be a date written YYYY-MM-DD"
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return "is not a calendar date"
    earliest, latest = ages.bounds(today)
    if not earliest <= value <= latest:
        return (
            f"must be between {earliest.isoformat()} and {latest.isoformat()} "
            f"(aged {ages.min_years} to {ages.max_years})"
        )
    return None
