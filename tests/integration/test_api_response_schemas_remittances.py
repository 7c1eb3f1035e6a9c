"""Every documented response of a remittance's life against a real one
(tests/api_schemas_support): created, read, cancelled, paid with its receipt (JSON and page),
reported in error, held for travel-rule data and given it, held by a sanctions hit and
answered, requoted after a late approval and the new quote accepted."""

from __future__ import annotations

import uuid

from tests.api_schemas_support import Recorder, check
from tests.console_support import hold
from tests.integration.console.conftest import officers  # noqa: F401
from tests.journeys.test_journey_travel_rule import _regimes_with_us_threshold


async def _send(rec: Recorder, gateway, sender: dict) -> dict:
    quote = await gateway.quote()
    return await rec.call(
        "POST",
        "/v1/remittances",
        json=gateway.remittance_body(quote["id"], sender["id"]),
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )


async def _decide(gateway, officer, case_id: str, decision: str, **extra) -> None:
    body = {"decision": decision, "reason": "reviewed the evidence", **extra}
    resp = await gateway.client.post(
        f"/v1/compliance/cases/{case_id}/decisions", json=body, headers=officer.auth()
    )
    assert resp.status == 201, await resp.text()


async def test_a_remittances_life_answers_as_documented(gateway, officers, tmp_path) -> None:  # noqa: F811
    doc = await (await gateway.client.get("/openapi.json")).json()
    rec = Recorder(gateway.client, doc, gateway.auth)
    sender = await gateway.customer()
    await gateway.top_up(sender["id"])

    cancelled = await _send(rec, gateway, sender)
    await rec.call("POST", f"/v1/remittances/{cancelled['id']}/cancel")
    paid = await _send(rec, gateway, sender)
    await gateway.drain()
    await rec.call("GET", f"/v1/remittances/{paid['id']}")
    await rec.call("GET", f"/v1/remittances/{paid['id']}/receipt")
    await rec.call("GET", f"/v1/remittances/{paid['id']}/receipt", headers={"Accept": "text/html"})
    await rec.call(
        "POST",
        f"/v1/remittances/{paid['id']}/errors",
        json={"kind": "not_received", "description": "my mother got nothing"},
    )

    asked, asked_case = await hold(gateway, external_id="asked")
    await _decide(
        gateway, officers["analyst"], asked_case, "request_info", message="Your birth date?"
    )
    await rec.call(
        "POST", f"/v1/remittances/{asked}/information", json={"information": "born 1990-01-01"}
    )

    late, late_case = await hold(gateway, external_id="late")
    gateway.clock.advance(minutes=30)  # the quote lapsed during the review
    for who in ("supervisor", "admin"):  # risk >= 80: four eyes
        await _decide(gateway, officers[who], late_case, "approve")
    await gateway.drain()
    quote = await rec.call("POST", f"/v1/remittances/{late}/requote")
    await rec.call("POST", f"/v1/remittances/{late}/accept-quote", json={"quote_id": quote["id"]})

    gateway.svc.regimes = _regimes_with_us_threshold(tmp_path, "100.00")
    held = await _send(rec, gateway, sender)
    await gateway.drain()
    await rec.call("GET", f"/v1/remittances/{held['id']}/travel-rule")
    await rec.call(
        "POST",
        f"/v1/remittances/{held['id']}/travel-rule",
        json={"sender": {"address": "1 Main St, Springfield, IL 62701"}},
    )
    await gateway.drain()
    check(rec, "remittances")
