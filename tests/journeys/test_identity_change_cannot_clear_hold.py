"""The attack of issue 20: a sender held by a sanctions hit renames themselves while the officer
waits for an answer, answers, and must still wait for an officer's decision. Public interfaces
only: the sending app's HTTP API and the officers' API."""

from __future__ import annotations

from tests.console_support import SANCTIONED, hold


async def _decide(gateway, officer, case_id: str, decision: str, **extra):
    body = {"decision": decision, "reason": "reviewed the evidence", **extra}
    resp = await gateway.client.post(
        f"/v1/compliance/cases/{case_id}/decisions", json=body, headers=officer.auth()
    )
    assert resp.status == 201, await resp.text()
    return await resp.json()


async def _case(gateway, officer, case_id: str) -> dict:
    resp = await gateway.client.get(f"/v1/compliance/cases/{case_id}", headers=officer.auth())
    assert resp.status == 200, await resp.text()
    return await resp.json()


async def test_renamed_sender_waits_for_an_officer_after_answering(gateway, officers) -> None:
    rem_id, case_id = await hold(gateway, external_id="attacker")
    analyst = officers["analyst"]
    await _decide(gateway, analyst, case_id, "request_info", message="Who are you?")
    assert (await gateway.get(rem_id))["status"] == "needs_info"

    renamed = await gateway.client.put(
        "/v1/customers",
        json={"external_id": "attacker", "name": "Ana Reyes", "country": "US"},
        headers=gateway.auth(),
    )
    assert renamed.status == 200, await renamed.text()
    answer = await gateway.client.post(
        f"/v1/remittances/{rem_id}/information",
        json={"information": "my name is Ana Reyes"},
        headers=gateway.auth(),
    )
    assert answer.status == 200, await answer.text()
    assert (await answer.json())["status"] == "on_hold"
    await gateway.drain()

    held = await gateway.get(rem_id)
    assert held["status"] == "on_hold"  # no screening ran it to a pass
    sim = await (await gateway.sim.get("/_sim/payouts")).json()
    assert sim["total_payments"] == 0

    queued = await gateway.client.get("/v1/compliance/cases", headers=analyst.auth())
    assert case_id in [c["id"] for c in (await queued.json())["cases"]]
    case = await _case(gateway, analyst, case_id)
    assert case["status"] == "info_received"
    [change] = case["identity_changes"]
    assert change["party"] == "sender"
    assert change["before"]["name"] == SANCTIONED
    assert change["after"]["name"] == "Ana Reyes"
    # Old and new identity were screened together: the old name still hits.
    assert any(h["identity"] == "before" for h in change["hits"])

    await _decide(gateway, officers["supervisor"], case_id, "approve")
    second = await _case(gateway, analyst, case_id)
    if second["status"] == "awaiting_second":
        await _decide(gateway, officers["admin"], case_id, "approve")
    await gateway.drain()
    assert (await gateway.get(rem_id))["status"] == "paid_out"  # only after the officers


async def test_a_later_remittance_screens_the_former_name_too(gateway, officers) -> None:
    _, case_id = await hold(gateway, external_id="attacker")
    await _decide(gateway, officers["analyst"], case_id, "reject")
    sender = await gateway.customer(external_id="attacker", name="Ana Reyes")
    await gateway.top_up(sender["id"])
    again = await gateway.send("100.00", sender=sender)
    await gateway.drain()
    assert (await gateway.get(again["id"]))["status"] == "on_hold"


async def test_the_case_page_shows_the_identity_change(gateway, officers) -> None:
    from tests.console_support import sign_in

    _, case_id = await hold(gateway, external_id="attacker")
    await gateway.customer(external_id="attacker", name="Ana Reyes")
    await sign_in(gateway.client, "analyst")
    html = await (await gateway.client.get(f"/console/cases/{case_id}")).text()
    assert "Identity changes" in html
    assert "Ana Reyes" in html and SANCTIONED in html


async def test_a_corrected_recipient_is_recorded_and_still_needs_an_officer(
    gateway, officers
) -> None:
    sender = await gateway.customer(external_id="clean")
    await gateway.top_up(sender["id"])
    quote = await gateway.quote("100.00")
    body = gateway.remittance_body(quote["id"], sender["id"], name=SANCTIONED)
    created = await gateway.client.post(
        "/v1/remittances", json=body, headers={**gateway.auth(), "Idempotency-Key": "rcp"}
    )
    assert created.status == 201, await created.text()
    rem_id = (await created.json())["id"]
    await gateway.drain()
    assert (await gateway.get(rem_id))["status"] == "on_hold"
    cases = await gateway.client.get("/v1/compliance/cases", headers=officers["analyst"].auth())
    [case_id] = [c["id"] for c in (await cases.json())["cases"] if c["remittance_id"] == rem_id]
    await _decide(gateway, officers["analyst"], case_id, "request_info", message="recipient?")

    bad = await gateway.client.post(
        f"/v1/remittances/{rem_id}/information",
        json={"information": "typo", "recipient": {"name": "Ana Reyes"}},
        headers=gateway.auth(),
    )
    assert bad.status == 422  # the corridor's fields are still required
    assert (await gateway.get(rem_id))["status"] == "needs_info"
    recipient = {**body["recipient"], "name": "Ana Reyes"}
    answer = await gateway.client.post(
        f"/v1/remittances/{rem_id}/information",
        json={"information": "the name was wrong", "recipient": recipient},
        headers=gateway.auth(),
    )
    assert answer.status == 200, await answer.text()
    await gateway.drain()
    assert (await gateway.get(rem_id))["status"] == "on_hold"
    case = await _case(gateway, officers["analyst"], case_id)
    [change] = case["identity_changes"]
    assert change["party"] == "recipient"
    assert (change["before"]["name"], change["after"]["name"]) == (SANCTIONED, "Ana Reyes")
    assert any(h["identity"] == "before" for h in change["hits"])
    assert case["recipient"]["name"] == "Ana Reyes"
