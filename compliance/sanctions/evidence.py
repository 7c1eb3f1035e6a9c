"""Date of birth and country as supporting evidence: they move a name score, never make one."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .countries import country_code
from .model import BirthDate, Entry

DOB_EXACT = 0.08
DOB_YEAR = 0.04
DOB_MISMATCH = -0.15
COUNTRY_MATCH = 0.04
MAX_LIFT = DOB_EXACT + COUNTRY_MATCH  # the most evidence can add to a name score
COUNTRY_MISMATCH = -0.04  # residence often differs from listed nationality: a nudge only
PARTIAL_DOB_MISMATCH = -0.3  # a partial name with another birth date is another person
PARTIAL_COUNTRY_MISMATCH = -0.12
_DOB_TEXT = re.compile(r"^\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?\s*$")

DobQuery = tuple[int, int | None, int | None]


def parse_dob(value: dt.date | str | None) -> DobQuery | None:
    """A date, or ``YYYY``/``YYYY-MM``/``YYYY-MM-DD`` text; anything else is refused."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.year, value.month, value.day
    match = _DOB_TEXT.match(value)
    if not match:
        raise ValueError("dob must be a date or YYYY[-MM[-DD]]")
    year, month, day = match.groups()
    return int(year), int(month) if month else None, int(day) if day else None


def _dob_level(query: DobQuery, listed: BirthDate) -> int:
    """2: same day/month given; 1: same year (or within the listed range); 0: different."""
    year, month, day = query
    low, high = listed.year, listed.year_to or listed.year
    if listed.approximate:
        low, high = low - 1, high + 1
    if not low <= year <= high:
        return 0
    if listed.year_to or listed.approximate or listed.month is None or month is None:
        return 1
    if listed.month != month:
        return 0
    if listed.day is not None and day is not None and listed.day != day:
        return 0
    return 2


@dataclass(frozen=True, slots=True)
class Evidence:
    adjustment: float
    reasons: tuple[str, ...]


def weigh(
    entry: Entry, country: str | None, dob: DobQuery | None, *, partial: bool = False
) -> Evidence:
    """Score change and its reasons from the optional birth date and country.

    A partial match (listed names left out) leans on this evidence: agreement confirms it,
    and a contradiction clears it, which costs more than it costs a full-name match.
    """
    delta = 0.0
    reasons: list[str] = []
    confirms = "; it confirms the partial name match" if partial else ""
    clears = "; it clears the partial name match" if partial else ""
    if dob is not None and entry.birth_dates:
        level = max(_dob_level(dob, b) for b in entry.birth_dates)
        listed = ", ".join(str(b) for b in entry.birth_dates)
        if level == 2:
            delta += DOB_EXACT
            reasons.append(f"date of birth matches the listed one ({listed}){confirms}")
        elif level == 1:
            delta += DOB_YEAR
            reasons.append(f"year of birth matches the listed one ({listed}){confirms}")
        else:
            delta += PARTIAL_DOB_MISMATCH if partial else DOB_MISMATCH
            reasons.append(f"date of birth differs from the listed one ({listed}){clears}")
    code = country_code(country) if country else None
    if code and entry.countries:
        if code in entry.countries:
            delta += COUNTRY_MATCH
            reasons.append(f"country {code} is among the listed countries{confirms}")
        else:
            delta += PARTIAL_COUNTRY_MISMATCH if partial else COUNTRY_MISMATCH
            listed = ", ".join(entry.countries)
            reasons.append(f"country {code} is not among the listed ({listed}){clears}")
    return Evidence(delta, tuple(reasons))
