"""Business days on the sending country's calendar: public holidays and weekends skipped."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace

from compliance.protections import load_regimes
from compliance.protections.calendar import add_business_days, is_business_day
from gateway.usecases.cancellation import refund_due_by


def test_us_thanksgiving_and_weekend_are_skipped() -> None:
    # Wednesday before Thanksgiving (Thu 26 Nov 2026): Fri 27, Mon 30, Tue 1 Dec.
    assert add_business_days(date(2026, 11, 25), 3, "US") == date(2026, 12, 1)
    assert not is_business_day(date(2026, 11, 26), "US")
    # Weekends only without a country: Thu 26 counts.
    assert add_business_days(date(2026, 11, 25), 3) == date(2026, 11, 30)


def test_eu_uses_the_target_calendar() -> None:
    # Thu 2 Apr 2026: Good Friday, the weekend and Easter Monday are closed for euro payments.
    assert add_business_days(date(2026, 4, 2), 1, "EU") == date(2026, 4, 7)


def test_a_country_without_a_calendar_falls_back_to_weekends() -> None:
    assert add_business_days(date(2026, 11, 27), 1, "ZZ") == date(2026, 11, 30)


def test_refund_deadline_is_three_us_business_days() -> None:
    svc = SimpleNamespace(
        corridors={"US-PH": SimpleNamespace(send_country="US")},
        regimes=load_regimes(),
        now=lambda: datetime(2026, 11, 25, 15, 0, tzinfo=UTC),
    )
    assert refund_due_by(svc, SimpleNamespace(corridor_id="US-PH")) == "2026-12-01"
