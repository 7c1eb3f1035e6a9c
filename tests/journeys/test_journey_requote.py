"""Journey: a transfer held by a sanctions hit (risk >= 80: two officers approve) outlives its
quote; approved, it waits in requote until the sender accepts a new quote, then is paid out
with the screening result it had (never screened again). A refused accept writes nothing.
Public interfaces only: the sending app's HTTP API and the officers' API."""

from __future__ import annotations

import sqlalchemy as sa

from gateway.storage.tables import compliance_cases, quotes, remittance_history
from tests.console_support import count, hold


async def _approve_by_two(gateway, officers, case_id: str) -> None:
    for who in ("supervisor", "admin"):
        resp = await gateway.client.post(
            f"/v1/compliance/cases/{case_id}/decisions",
            json={"decision": "approve", "reason": "false positive: other person"},
            headers=officers[who].auth(),
        )
        assert resp.status == 201, await resp.text()
    case = await gateway.client.get(
        f"/v1/compliance/cases/{case_id}", headers=officers["analyst"].auth()
    )
    body = await case.json()
    assert body["risk_score"] >= 80
    assert body["status"] == "approved"


async def _held_then_approved_late(gateway, officers) -> tuple[str, str]:
    rem_id, case_id = await hold(gateway)
    gateway.clock.advance(minutes=30)  # a real review: the 60 s quote lapsed long ago
    await _approve_by_two(gateway, officers, case_id)
    await gateway.drain()
    assert (await gateway.get(rem_id))["status"] == "requote"
    return rem_id, case_id


async def _requote(gateway, rem_id: str, role: str = "sender-app"):
    return await gateway.client.post(
        f"/v1/remittances/{rem_id}/requote", headers=gateway.auth(role)
    )


async def _accept(gateway, rem_id: str, quote_id: str, role: str = "sender-app"):
    return await gateway.client.post(
        f"/v1/remittances/{rem_id}/accept-quote",
        json={"quote_id": quote_id},
        headers=gateway.auth(role),
    )


async def _history_rows(gateway) -> int:
    return await count(gateway, remittance_history)


async def test_held_approved_requoted_accepted_paid_out(gateway, officers) -> None:
    rem_id, _ = await _held_then_approved_late(gateway, officers)
    before = await gateway.get(rem_id)
    cases = await count(gateway, compliance_cases)

    offered = await _requote(gateway, rem_id)
    assert offered.status == 201, await offered.text()
    quote = await offered.json()
    assert quote["requote_for"] == rem_id
    assert quote["send_amount"] == before["send_amount"]  # same amount, today's rate
    assert quote["id"] != before["quote_id"]
    # Lives the corridor's held_quote_ttl_s (900 s shipped), not the 60 s of a quote asked for.
    lifetime = gateway.svc.corridors[quote["corridor_id"]].held_quote_ttl_s
    assert lifetime == 900
    from datetime import datetime

    expires = datetime.fromisoformat(quote["expires_at"])
    assert (expires - gateway.clock()).total_seconds() == lifetime
    # The sending app can read it back, like any quote of its own.
    read = await gateway.client.get(f"/v1/quotes/{quote['id']}", headers=gateway.auth())
    assert read.status == 200

    gateway.clock.advance(minutes=5)  # the sender answers a while later: still valid
    accepted = await _accept(gateway, rem_id, quote["id"])
    assert accepted.status == 200, await accepted.text()
    body = await accepted.json()
    assert body["status"] == "quoted"
    assert body["quote_id"] == quote["id"]
    assert body["receive_amount"] == quote["receive_amount"]
    assert body["history"][-1]["reason"] == f"new quote {quote['id']} accepted by the sender"
    again = await _accept(gateway, rem_id, quote["id"])  # a retried accept: same answer
    assert again.status == 200 and (await again.json())["quote_id"] == quote["id"]

    await gateway.drain()
    done = await gateway.get(rem_id)
    assert done["status"] == "paid_out", done["history"]
    path = [h["to"] for h in done["history"]]
    assert path.count("screening") == 1  # screened once, before the hold; never to a pass
    assert path[path.index("on_hold") :][:4] == ["on_hold", "approved", "requote", "quoted"]
    assert await count(gateway, compliance_cases) == cases
    sim = await (await gateway.sim.get("/_sim/payouts")).json()
    assert sim["total_payments"] == 1
    receipt = await (
        await gateway.client.get(f"/v1/remittances/{rem_id}/receipt", headers=gateway.auth())
    ).json()
    assert receipt["disclosure"]["exchange_rate"] == quote["rate"]


async def test_an_operator_can_requote_and_accept_for_the_sender(gateway, officers) -> None:
    rem_id, _ = await _held_then_approved_late(gateway, officers)
    offered = await _requote(gateway, rem_id, role="operator")
    assert offered.status == 201, await offered.text()
    quote = await offered.json()
    accepted = await _accept(gateway, rem_id, quote["id"], role="operator")
    assert accepted.status == 200, await accepted.text()
    await gateway.drain()
    assert (await gateway.get(rem_id))["status"] == "paid_out"


async def test_an_expired_new_quote_is_refused_and_writes_nothing(gateway, officers) -> None:
    rem_id, _ = await _held_then_approved_late(gateway, officers)
    quote = await (await _requote(gateway, rem_id)).json()
    gateway.clock.advance(seconds=901)
    rows, quoted = await _history_rows(gateway), await count(gateway, quotes)

    refused = await _accept(gateway, rem_id, quote["id"])
    assert refused.status == 422
    assert refused.content_type == "application/problem+json"
    problem = await refused.json()
    assert problem["type"].endswith("/quote-expired")
    assert f"/v1/remittances/{rem_id}/requote" in problem["detail"]
    assert (await gateway.get(rem_id))["status"] == "requote"
    assert (await _history_rows(gateway), await count(gateway, quotes)) == (rows, quoted)

    # A fresh one is accepted.
    fresh = await (await _requote(gateway, rem_id)).json()
    assert (await _accept(gateway, rem_id, fresh["id"])).status == 200


async def test_unknown_foreign_and_old_quotes_are_refused(gateway, officers) -> None:
    rem_id, _ = await _held_then_approved_late(gateway, officers)
    first = await gateway.get(rem_id)
    other = await gateway.quote("100.00")  # a quote of this app, not offered to the remittance
    rows = await _history_rows(gateway)
    for quote_id in ("qt_unknown", other["id"], first["quote_id"]):
        refused = await _accept(gateway, rem_id, quote_id)
        assert refused.status == 422, quote_id
        [error] = (await refused.json())["errors"]
        assert error["field"] == "quote_id"
    bad = await gateway.client.post(
        f"/v1/remittances/{rem_id}/accept-quote", json={"quote": "x"}, headers=gateway.auth()
    )
    assert bad.status == 422
    assert (await gateway.get(rem_id))["status"] == "requote"
    assert await _history_rows(gateway) == rows

    # The offered quote is this remittance's: no new remittance can be made from it.
    offered = await (await _requote(gateway, rem_id)).json()
    sender = await gateway.customer(external_id="other-sender")
    made = await gateway.client.post(
        "/v1/remittances",
        json=gateway.remittance_body(offered["id"], sender["id"]),
        headers={**gateway.auth(), "Idempotency-Key": "steal-offered"},
    )
    assert made.status == 409
    assert (await made.json())["type"].endswith("/quote-used")


async def test_another_apps_remittance_is_not_found(gateway, officers) -> None:
    from gateway.storage.keys import create_key

    rem_id, _ = await _held_then_approved_late(gateway, officers)
    async with gateway.svc.engine.begin() as conn:
        other, _ = await create_key(conn, "other-app", "sender-app", None, gateway.clock())
    auth = {"Authorization": f"Bearer {other}"}
    assert (
        await gateway.client.post(f"/v1/remittances/{rem_id}/requote", headers=auth)
    ).status == 404
    offered = await (await _requote(gateway, rem_id)).json()
    resp = await gateway.client.post(
        f"/v1/remittances/{rem_id}/accept-quote", json={"quote_id": offered["id"]}, headers=auth
    )
    assert resp.status == 404
    assert (await gateway.get(rem_id))["status"] == "requote"


async def test_requote_only_in_requote(gateway, officers) -> None:
    rem_id, _ = await hold(gateway)
    refused = await _requote(gateway, rem_id)  # still on hold: officers first
    assert refused.status == 409
    assert (await refused.json())["type"].endswith("/not-in-requote")


async def test_approved_in_time_goes_on_without_requote(gateway, officers) -> None:
    rem_id, case_id = await hold(gateway)
    gateway.clock.advance(seconds=30)  # within the quote's 60 s
    await _approve_by_two(gateway, officers, case_id)
    await gateway.drain()
    done = await gateway.get(rem_id)
    assert done["status"] == "paid_out"
    path = [h["to"] for h in done["history"]]
    assert "requote" not in path
    assert path[path.index("approved") + 1] == "quoted"
    async with gateway.svc.engine.connect() as conn:
        offered = await conn.scalar(
            sa.select(sa.func.count()).select_from(quotes).where(quotes.c.requote_for == rem_id)
        )
    assert offered == 0


async def test_the_case_page_shows_the_requote(gateway, officers) -> None:
    from tests.integration.console.test_console_pages import sign_in

    rem_id, case_id = await _held_then_approved_late(gateway, officers)
    await sign_in(gateway.client, "analyst")
    page = await (await gateway.client.get(f"/console/cases/{case_id}")).text()
    assert "requote: waiting for the sender" in page
    assert "<strong>requote</strong>" in page  # the remittance's state and its history

    quote = await (await _requote(gateway, rem_id)).json()
    page = await (await gateway.client.get(f"/console/cases/{case_id}")).text()
    assert quote["id"] in page and "offered in requote" in page

    assert (await _accept(gateway, rem_id, quote["id"])).status == 200
    page = await (await gateway.client.get(f"/console/cases/{case_id}")).text()
    assert "waiting for the sender" not in page
    assert "accepted by the sender" in page
    detail = await gateway.client.get(
        f"/v1/compliance/cases/{case_id}", headers=officers["analyst"].auth()
    )
    states = (await detail.json())["quote"]["quotes"]
    assert [(q["offered_in_requote"], q["in_use"], q["expired"]) for q in states] == [
        (False, False, True),
        (True, True, False),
    ]
