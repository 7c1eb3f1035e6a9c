"""Compliance REST API: roles, four eyes, idempotent decisions, reject, request-information,
queue order and filters, exports. Cases come from a real sanctions hit."""

from __future__ import annotations

import csv
import dataclasses
import io

import sqlalchemy as sa

from gateway.api.compliance_routes import ROUTES
from gateway.storage.tables import compliance_cases
from gateway.storage.tables_compliance import audit_log, case_decisions
from tests.console_support import count, hold


def _path(route, case_id: str, rem_id: str) -> str:
    return route.path.replace("{id}", rem_id if "remittances" in route.path else case_id)


async def decide(gateway, officer, case_id, decision="approve", reason="checked the DOB", **kw):
    return await gateway.client.post(
        f"/v1/compliance/cases/{case_id}/decisions",
        json={"decision": decision, "reason": reason, **kw},
        headers=officer.auth(),
    )


async def test_partner_and_sender_keys_get_403_on_every_compliance_route(gateway) -> None:
    rem_id, case_id = await hold(gateway)
    compliance = [r for r in ROUTES if r.path.startswith("/v1/compliance")]
    assert len(compliance) >= 8
    for route in compliance:
        for role in ("partner", "sender-app"):
            resp = await gateway.client.request(
                route.method, _path(route, case_id, rem_id), json={}, headers=gateway.auth(role)
            )
            assert resp.status == 403, (route.path, role)
            assert resp.content_type == "application/problem+json"
        anonymous = await gateway.client.request(route.method, _path(route, case_id, rem_id))
        assert anonymous.status == 401
    doc = await (await gateway.client.get("/openapi.json")).json()
    assert "/v1/compliance/cases/{id}/decisions" in doc["paths"]


async def test_operator_reads_analyst_cannot_assign_or_audit(gateway, officers) -> None:
    _, case_id = await hold(gateway)
    listed = await gateway.client.get("/v1/compliance/cases", headers=gateway.auth("operator"))
    assert listed.status == 200
    assert [c["id"] for c in (await listed.json())["cases"]] == [case_id]
    as_operator = await gateway.client.post(
        f"/v1/compliance/cases/{case_id}/decisions",
        json={"decision": "approve", "reason": "ok ok"},
        headers=gateway.auth("operator"),
    )
    assert as_operator.status == 403
    analyst = officers["analyst"]
    assign = await gateway.client.post(
        f"/v1/compliance/cases/{case_id}/assign",
        json={"officer_id": officers["analyst2"].id},
        headers=analyst.auth(),
    )
    assert assign.status == 403
    audit = await gateway.client.get("/v1/compliance/audit", headers=analyst.auth())
    assert audit.status == 403
    by_supervisor = await gateway.client.post(
        f"/v1/compliance/cases/{case_id}/assign",
        json={"officer_id": officers["analyst2"].id},
        headers=officers["supervisor"].auth(),
    )
    assert by_supervisor.status == 200
    assert (await by_supervisor.json())["assignee"] == "analyst2"


async def test_four_eyes_then_pipeline_resumes_to_paid_out(gateway, officers) -> None:
    rem_id, case_id = await hold(gateway)
    first = await decide(gateway, officers["analyst"], case_id)
    assert first.status == 201
    body = await first.json()
    assert body["risk_score"] >= gateway.svc.settings.four_eyes_risk
    assert body["status"] == "awaiting_second"
    assert body["remittance"]["status"] == "on_hold"
    # The same officer again: idempotent, not a second pair of eyes.
    again = await decide(gateway, officers["analyst"], case_id)
    assert again.status == 200
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert (await again.json())["status"] == "awaiting_second"
    assert await count(gateway, case_decisions) == 1
    await gateway.drain()
    assert (await gateway.get(rem_id))["status"] == "on_hold"
    second = await decide(gateway, officers["analyst2"], case_id, reason="second look agrees")
    assert second.status == 201
    assert (await second.json())["status"] == "approved"
    await gateway.drain()
    final = await gateway.get(rem_id)
    assert final["status"] == "paid_out"
    assert "approved" in [h["to"] for h in final["history"]]


async def test_low_risk_case_needs_one_approval(gateway, officers) -> None:
    gateway.svc.settings = dataclasses.replace(gateway.svc.settings, four_eyes_risk=101)
    rem_id, case_id = await hold(gateway)
    resp = await decide(gateway, officers["analyst"], case_id)
    assert resp.status == 201
    assert (await resp.json())["status"] == "approved"
    await gateway.drain()
    assert (await gateway.get(rem_id))["status"] == "paid_out"


async def test_reason_required_and_nothing_written(gateway, officers) -> None:
    _, case_id = await hold(gateway)
    entries = await count(gateway, audit_log)
    for body in (
        {"decision": "approve"},
        {"decision": "approve", "reason": "  "},
        {"decision": "wave-through", "reason": "because"},
    ):
        resp = await gateway.client.post(
            f"/v1/compliance/cases/{case_id}/decisions", json=body, headers=officers["admin"].auth()
        )
        assert resp.status == 422
        fields = {e["field"] for e in (await resp.json())["errors"]}
        assert fields & {"reason", "decision"}
    assert await count(gateway, case_decisions) == 0
    assert await count(gateway, audit_log) == entries


async def test_reject_is_final_and_idempotent(gateway, officers) -> None:
    rem_id, case_id = await hold(gateway)
    supervisor = officers["supervisor"]
    first = await decide(gateway, supervisor, case_id, "reject", "confirmed SDN match")
    assert first.status == 201
    replay = await decide(gateway, supervisor, case_id, "reject", "confirmed SDN match")
    assert replay.status == 200
    assert await count(gateway, case_decisions) == 1
    other = await decide(gateway, officers["analyst"], case_id, "approve", "changed my mind")
    assert other.status == 409
    await gateway.drain()
    final = await gateway.get(rem_id)
    assert final["status"] == "rejected"
    sim = await (await gateway.sim.get("/_sim/payouts")).json()
    assert sim["total_payments"] == 0


async def test_request_info_then_the_answer_goes_back_to_the_queue(gateway, officers) -> None:
    rem_id, case_id = await hold(gateway)
    resp = await decide(
        gateway,
        officers["analyst"],
        case_id,
        "request_info",
        "need proof of identity",
        message="Please send your date of birth",
    )
    assert resp.status == 201
    assert (await resp.json())["status"] == "needs_info"
    held = await gateway.get(rem_id)
    assert held["status"] == "needs_info"
    assert "date of birth" in held["history"][-1]["reason"]  # what the sender (bot) is told
    bad = await gateway.client.post(
        f"/v1/remittances/{rem_id}/information", json={"information": ""}, headers=gateway.auth()
    )
    assert bad.status == 422
    answer = await gateway.client.post(
        f"/v1/remittances/{rem_id}/information",
        json={"information": "born 1990-01-01"},
        headers=gateway.auth(),
    )
    assert answer.status == 200, await answer.text()
    assert (await answer.json())["status"] == "on_hold"
    twice = await gateway.client.post(
        f"/v1/remittances/{rem_id}/information",
        json={"information": "again"},
        headers=gateway.auth(),
    )
    assert twice.status == 409
    await gateway.drain()
    assert (await gateway.get(rem_id))["status"] == "on_hold"  # not screened again
    async with gateway.svc.engine.connect() as conn:
        statuses = sorted(
            (await conn.execute(sa.select(compliance_cases.c.status))).scalars().all()
        )
    assert statuses == ["info_received"]  # the same case, back in the queue


async def test_queue_by_risk_then_age_with_filters(gateway, officers) -> None:
    _, older = await hold(gateway, external_id="a")
    gateway.clock.advance(seconds=10)
    _, newer = await hold(gateway, external_id="b")
    gateway.clock.advance(seconds=10)
    _, riskier = await hold(gateway, external_id="c")
    async with gateway.svc.engine.begin() as conn:
        await conn.execute(compliance_cases.update().values(risk_score=70))
        await conn.execute(
            compliance_cases.update().where(compliance_cases.c.id == riskier).values(risk_score=95)
        )
    analyst = officers["analyst"]

    async def ids(query: str = "") -> list[str]:
        resp = await gateway.client.get(f"/v1/compliance/cases{query}", headers=analyst.auth())
        assert resp.status == 200
        return [c["id"] for c in (await resp.json())["cases"]]

    assert await ids() == [riskier, older, newer]
    assert await ids("?rule=sanctions") == [riskier, older, newer]
    assert await ids("?rule=no-such-rule") == []
    assert await ids("?corridor=nowhere") == []
    claim = await gateway.client.post(f"/v1/compliance/cases/{newer}/claim", headers=analyst.auth())
    assert claim.status == 200
    assert await ids("?assignee=me") == [newer]
    assert await ids("?assignee=analyst") == [newer]
    assert await ids("?assignee=none") == [riskier, older]
    assert (
        await gateway.client.get("/v1/compliance/cases?limit=0", headers=analyst.auth())
    ).status == 422


async def test_exports_csv_and_sar_draft(gateway, officers) -> None:
    rem_id, case_id = await hold(gateway)
    await decide(gateway, officers["supervisor"], case_id, "reject", "confirmed match")
    resp = await gateway.client.get(
        "/v1/compliance/decisions.csv", headers=officers["supervisor"].auth()
    )
    assert resp.status == 200
    assert resp.content_type == "text/csv"
    rows = list(csv.DictReader(io.StringIO(await resp.text())))
    assert [(r["case_id"], r["decision"], r["officer"]) for r in rows] == [
        (case_id, "reject", "supervisor")
    ]
    sar = await gateway.client.get(
        f"/v1/compliance/cases/{case_id}/sar", headers=officers["supervisor"].auth()
    )
    doc = await sar.json()
    assert doc["status"] == "draft"
    assert doc["transaction"]["id"] == rem_id
    assert doc["activity"]["sanctions"][0]["party"] == "sender"
