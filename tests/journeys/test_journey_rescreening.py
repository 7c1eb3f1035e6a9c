"""Journey: a list version loaded after a transfer was screened. Under the lists of the day a
sender and another transfer's recipient pass screening and wait for their bank transfers; then
the operator loads a version that names them (`remit sanctions load`). Re-screening (the
running gateway's background job; here `remit sanctions rescreen`, batch by batch) holds both
transfers with a case naming the new version, leaves a transfer already paid out and a clean
one alone, shows its progress in `remit sanctions status` and /metrics, and resumes after a
crash without a second case. An officer's approval then lets the held transfer go on.
Public interfaces: the CLI, HTTP; the gateway's periodic list check is called as it would run."""

from __future__ import annotations

import uuid

from gateway.usecases import rescreening, sanctions
from tests.funding_support import send_by
from tests.rescreening_support import LISTED, cases_of, cli


async def _send_to(gateway, sender, recipient_name: str) -> dict:
    quote = await gateway.quote("100.00")
    body = {
        **gateway.remittance_body(quote["id"], sender["id"], name=recipient_name),
        "funding_method": "bank_transfer",
    }
    headers = {**gateway.auth(), "Idempotency-Key": str(uuid.uuid4())}
    resp = await gateway.client.post("/v1/remittances", json=body, headers=headers)
    assert resp.status == 201, await resp.text()
    await gateway.drain()
    return await gateway.get((await resp.json())["id"])


async def test_a_new_list_version_holds_the_open_transfers_it_names(
    gateway, officers, lists, monkeypatch, capsys
) -> None:
    monkeypatch.setenv("REMIT_DATABASE_URL", gateway.svc.engine.url.render_as_string(False))
    before, after = lists
    assert (await cli(capsys, "sanctions", "load", str(before)))[0] == 0
    assert await sanctions.refresh(gateway.svc)  # the gateway's periodic check swaps lists

    listed_sender = await gateway.customer(external_id="s-1", name=LISTED)
    held_by_sender, _ = await send_by(gateway, sender=listed_sender)
    clean_sender = await gateway.customer(external_id="s-2")
    held_by_recipient = await _send_to(gateway, clean_sender, LISTED)
    untouched = await _send_to(gateway, clean_sender, "Maria Dela Cruz")
    paid = await gateway.send("20.00", sender=await gateway.customer(external_id="s-3"))
    await gateway.top_up(paid["sender_id"])
    await gateway.drain()
    for rem in (held_by_sender, held_by_recipient, untouched):
        assert rem["status"] == "awaiting_funds", rem
    assert (await gateway.get(paid["id"]))["status"] == "paid_out"

    code, loaded = await cli(capsys, "sanctions", "load", str(after))
    assert code == 0
    code, status = await cli(capsys, "sanctions", "status")
    [run, *_] = status["rescreening"]
    assert run["list_id"] == loaded["list_id"] and run["finished_at"] is None

    # The gateway's background job commits one batch (two of the three senders), then the
    # process dies; `remit sanctions rescreen` goes on from the committed cursor.
    first = await rescreening.step(gateway.svc, batch=2)
    assert (first.phase, first.senders) == ("senders", 2)
    code, status = await cli(capsys, "sanctions", "status")
    assert status["rescreening"][0]["senders_screened"] == 2
    code, finished = await cli(capsys, "sanctions", "rescreen", "--batch", "2")
    assert code == 0 and finished["pending"] is False and finished["phase"] == "done"
    code, again = await cli(capsys, "sanctions", "rescreen")
    assert again == {"pending": False}

    for rem in (held_by_sender, held_by_recipient):
        assert (await gateway.get(rem["id"]))["status"] == "on_hold"
        [case] = await cases_of(gateway, rem["id"])
        assert case.status == "open" and case.list_version == run["list_version"]
        assert case.evidence["rescreening"] is True
        assert {h["screened_name"] for h in case.evidence["sanctions"]} == {LISTED}
    assert (await gateway.get(untouched["id"]))["status"] == "awaiting_funds"
    assert (await gateway.get(paid["id"]))["status"] == "paid_out"

    code, status = await cli(capsys, "sanctions", "status")
    [run, *_] = status["rescreening"]
    assert run["phase"] == "done" and run["finished_at"] is not None
    assert sorted(run["held"]) == sorted([held_by_sender["id"], held_by_recipient["id"]])
    assert run["senders_screened"] == 3 and run["recipients_screened"] == 3
    metrics = await (await gateway.client.get("/metrics", headers=gateway.auth("operator"))).text()
    assert 'remit_rescreening_screened{party="senders"} 3.0' in metrics
    assert 'remit_rescreening_remittances{outcome="held"} 2.0' in metrics
    assert "remit_rescreening_pending 0.0" in metrics

    # The officers decide; an approved transfer goes on (its quote lapsed meanwhile: requote).
    [case] = await cases_of(gateway, held_by_recipient["id"])
    for officer in ("analyst", "supervisor"):
        resp = await gateway.client.post(
            f"/v1/compliance/cases/{case.id}/decisions",
            json={"decision": "approve", "reason": "not the listed person: other birth date"},
            headers=officers[officer].auth(),
        )
        assert resp.status in (200, 201), await resp.text()
        if (await gateway.get(held_by_recipient["id"]))["status"] != "on_hold":
            break
    await gateway.drain()
    assert (await gateway.get(held_by_recipient["id"]))["status"] in ("quoted", "awaiting_funds")
