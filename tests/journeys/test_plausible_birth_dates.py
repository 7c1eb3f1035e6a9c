"""Plausible birth dates (#20): `0001-01-01` was accepted. A birth date must make the person
between REMIT_BIRTH_AGE_MIN and REMIT_BIRTH_AGE_MAX years old (16 and 120 by default),
wherever it enters (customers, travel-rule data), refused 422 naming the field, nothing
written."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from compliance.kyc.birth import AgeRange, birth_date_problem
from gateway.storage.tables import customers
from gateway.storage.tables_travel import travel_rule_records
from tests.journeys.test_journey_travel_rule import (
    _sent,
    _tiers_allowing,
    _travel,
)


def _years_ago(gateway, years: int, days: int = 0) -> str:
    today = gateway.clock().date()
    born = today.replace(year=today.year - years, day=min(today.day, 28))
    return date.fromordinal(born.toordinal() + days).isoformat()


async def _count(gateway, table) -> int:
    async with gateway.svc.engine.connect() as conn:
        return await conn.scalar(sa.select(sa.func.count()).select_from(table))


async def _put(gateway, birth_date: str):
    body = {"external_id": "b-1", "name": "Ana Reyes", "country": "US", "birth_date": birth_date}
    return await gateway.client.put("/v1/customers", json=body, headers=gateway.auth())


async def test_implausible_customer_birth_dates_are_refused_naming_the_field(gateway) -> None:
    for implausible in ("0001-01-01", "1800-06-30", "2999-01-01", _years_ago(gateway, 15)):
        resp = await _put(gateway, implausible)
        assert resp.status == 422, (implausible, await resp.text())
        errors = (await resp.json())["errors"]
        assert [e["field"] for e in errors] == ["birth_date"], implausible
        assert "aged 16 to 120" in errors[0]["message"]
    assert await _count(gateway, customers) == 0
    assert (await _put(gateway, "1990-04-01")).status == 201


@pytest.mark.parametrize("gateway_settings", [{"birth_age_min": 18, "birth_age_max": 130}])
async def test_the_age_range_is_configuration(gateway) -> None:
    assert (await _put(gateway, _years_ago(gateway, 17))).status == 422
    assert (await _put(gateway, _years_ago(gateway, 125))).status == 201


async def test_travel_rule_birth_dates_are_refused_too(gateway, tmp_path) -> None:
    gateway.svc.tiers = _tiers_allowing(tmp_path, "2000")
    rem = await _sent(gateway, "1500.00", "3000.00")
    await gateway.drain()
    assert (await gateway.get(rem["id"]))["status"] == "needs_info"
    for implausible in ("0001-01-01", "2999-01-01", "1990-02-30"):
        refused = await _travel(
            gateway, rem["id"], address="1 Main St, Springfield", birth_date=implausible
        )
        assert refused.status == 422, (implausible, await refused.text())
        fields = [e["field"] for e in (await refused.json())["errors"]]
        assert fields == ["sender.birth_date"], implausible
    assert await _count(gateway, travel_rule_records) == 0
    assert (await gateway.get(rem["id"]))["status"] == "needs_info"


def test_the_range_includes_both_ends_and_leap_days() -> None:
    ages = AgeRange(16, 120)
    today = date(2028, 2, 29)
    earliest, latest = ages.bounds(today)
    assert latest == date(2012, 2, 29) and earliest == date(1907, 3, 1)
    assert birth_date_problem(latest, today, ages) is None
    assert birth_date_problem(earliest, today, ages) is None
    assert birth_date_problem(date(1907, 2, 28), today, ages) is not None
    assert birth_date_problem(date(2012, 3, 1), today, ages) is not None
    assert birth_date_problem("1990-13-01", today, ages) == "is not a calendar date"
    with pytest.raises(ValueError):
        AgeRange(50, 20)
