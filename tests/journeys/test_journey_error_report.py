"""Journey: a paid sender reports an error; a case opens with its clocks (acknowledge, 90-day
investigation) and the officers' queue shows them, overdue first once time passes. After 180
days from the disclosed availability date the report is refused naming the rule, nothing
written. The clock is the test's. Public interfaces only (HTTP)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from gateway.storage.tables_errors import error_cases


async def _report(gateway, rem_id: str, **body):
    body = {"kind": "not_received", "description": "my mother got nothing", **body}
    return await gateway.client.post(
        f"/v1/remittances/{rem_id}/errors", json=body, headers=gateway.auth()
    )


async def test_error_report_opens_a_case_with_clocks(gateway) -> None:
    rem = await gateway.paid()
    resp = await _report(gateway, rem["id"])
    assert resp.status == 201, await resp.text()
    case = await resp.json()
    assert case["status"] == "open" and case["rule"] == "12 CFR 1005.33"
    reported = datetime.fromisoformat(case["reported_at"])
    investigate = datetime.fromisoformat(case["clocks"]["investigate_by"]["due"])
    assert (investigate - reported).days == 90
    assert not any(c["overdue"] for c in case["clocks"].values())
    gateway.clock.advance(days=5)  # past the acknowledgement day, nobody acknowledged
    queue = await gateway.client.get("/v1/compliance/error-cases", headers=gateway.auth("operator"))
    listed = (await queue.json())["cases"]
    assert [c["id"] for c in listed] == [case["id"]]
    assert listed[0]["clocks"]["acknowledge_by"]["overdue"] is True
    assert listed[0]["clocks"]["investigate_by"]["overdue"] is False


async def test_report_after_180_days_is_refused_and_writes_nothing(gateway) -> None:
    rem = await gateway.paid()
    gateway.clock.advance(days=182)
    resp = await _report(gateway, rem["id"], kind="wrong_amount")
    assert resp.status == 409
    problem = await resp.json()
    assert problem["type"].endswith("error-report-window-closed")
    assert problem["rule"] == "12 CFR 1005.33" and "180 days" in problem["detail"]
    async with gateway.svc.engine.connect() as conn:
        count = (await conn.execute(sa.select(sa.func.count()).select_from(error_cases))).scalar()
    assert count == 0


async def test_bad_kind_is_a_validation_problem(gateway) -> None:
    rem = await gateway.paid()
    resp = await _report(gateway, rem["id"], kind="sad")
    assert resp.status == 422
    assert (await resp.json())["errors"][0]["field"] == "kind"
