"""Journey: a list version names the recipient of a transfer its payout partner already has.
Re-screening withdraws the instruction (the partner's cancel call, as a sender's cancel does)
and, once the partner confirms, holds the transfer with its case for the officers; the money
stays reserved to the partner until they decide, and a rejection refunds all of it. A partner
that had already paid cannot be stopped: the transfer is recorded as paid out (the inquiry
settles it) and reported as too late on the run (`remit sanctions status`) and on its case.
Public interfaces: HTTP, the CLI and the simulator's own view of its payouts."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gateway.usecases import rescreening, sanctions
from tests.partners_support import PARTNER, register
from tests.rescreening_support import (
    LISTED,
    case_view,
    cases_of,
    cli,
    decide,
    load_lists,
    run_until,
    send_from_wallet,
    wallet,
)


async def _instructed_then_listed(gateway, capsys, monkeypatch, lists, stop_at="payout_pending"):
    await load_lists(gateway, capsys, monkeypatch, lists)
    sender = await gateway.customer(external_id="s-instructed")
    await gateway.top_up(sender["id"], "500.00")
    rem = await send_from_wallet(gateway, sender, LISTED)
    await run_until(gateway, rem["id"], stop_at)
    assert (await cli(capsys, "sanctions", "load", str(lists[1])))[0] == 0
    # The running gateway's background job (its periodic list check, then the batches).
    assert await sanctions.refresh(gateway.svc)
    finished = await rescreening.run_to_end(gateway.svc)
    assert finished.phase == "done" and finished.held == 1
    assert (await gateway.get(rem["id"]))["status"] == "withdrawing"
    [case] = await cases_of(gateway, rem["id"])
    return sender, rem, case


@pytest.mark.parametrize("sim_faults", [{"pay_delay_ms": 3_600_000}])
@pytest.mark.parametrize("stop_at", ["in_transit", "payout_pending"])
async def test_an_instructed_transfer_is_withdrawn_from_the_partner_and_held(
    gateway, officers, lists, monkeypatch, capsys, stop_at
) -> None:
    """in_transit: the coin is reserved to the partner, the instruction about to go (the
    partner answers the cancel "not found"); payout_pending: the partner accepted it and would
    pay in an hour."""
    sender, rem, case = await _instructed_then_listed(gateway, capsys, monkeypatch, lists, stop_at)
    # While it is being withdrawn the officers cannot decide yet.
    resp = await gateway.client.post(
        f"/v1/compliance/cases/{case.id}/decisions",
        json={"decision": "reject", "reason": "too early"},
        headers=officers["analyst"].auth(),
    )
    assert resp.status == 409
    assert "being withdrawn" in (await case_view(gateway, officers, case.id))["money"]["summary"]

    await gateway.drain()
    held = await gateway.get(rem["id"])
    assert held["status"] == "on_hold" and held["history"][-1]["from"] == "withdrawing"
    payouts = (await (await gateway.sim.get("/_sim/payouts")).json())["payouts"]
    if stop_at == "payout_pending":
        assert payouts[rem["id"]]["status"] == "cancelled"
        assert payouts[rem["id"]]["payments"] == 0
    else:
        assert rem["id"] not in payouts  # never instructed, and not after the hold either
    view = await case_view(gateway, officers, case.id)
    assert view["origin"] == "rescreening" and view["money"]["held_from"] == "withdrawing"
    assert "withdrawn from the payout partner" in view["money"]["summary"]
    code, status = await cli(capsys, "sanctions", "status")
    assert code == 0 and status["rescreening"][0]["held"] == [rem["id"]]
    assert await wallet(gateway, sender["id"]) == Decimal("400.00")  # still reserved

    assert await decide(gateway, officers, case.id, "reject", ("analyst",)) == ["failed"]
    await gateway.drain()
    assert (await gateway.get(rem["id"]))["status"] == "refunded"
    payouts = (await (await gateway.sim.get("/_sim/payouts")).json())["payouts"]
    assert sum(p["payments"] for p in payouts.values()) == 0
    assert await wallet(gateway, sender["id"]) == Decimal("500.00")  # fee included
    assert await gateway.ledger_findings() == []


async def test_a_partner_that_had_paid_is_reported_too_late(
    gateway, officers, lists, monkeypatch, capsys
) -> None:
    sender, rem, case = await _instructed_then_listed(gateway, capsys, monkeypatch, lists)
    await gateway.drain()
    done = await gateway.get(rem["id"])
    assert done["status"] == "paid_out"
    assert [h["to"] for h in done["history"]][-3:] == [
        "withdrawing",
        "payout_unknown",
        "paid_out",
    ]
    payouts = (await (await gateway.sim.get("/_sim/payouts")).json())["payouts"]
    assert payouts[rem["id"]]["payments"] == 1  # paid once, never again
    code, status = await cli(capsys, "sanctions", "status")
    [run, *_] = status["rescreening"]
    assert code == 0 and run["too_late"] == [rem["id"]] and run["held"] == []
    view = await case_view(gateway, officers, case.id)
    assert view["evidence"]["too_late"] and "too late" in view["money"]["summary"]
    # The officers record their view of it; nothing moves a paid-out transfer.
    assert await decide(gateway, officers, case.id, "reject", ("analyst",)) == ["paid_out"]
    assert await wallet(gateway, sender["id"]) == Decimal("400.00")
    assert await gateway.ledger_findings() == []


async def test_held_before_the_partner_had_it_then_approved_is_paid_out_once(
    gateway, officers, lists, monkeypatch, capsys
) -> None:
    """in_transit, not yet instructed: the partner answers the cancel "not found", so after
    the officers' approval the same instruction goes, under the same key, and pays once."""
    sender, rem, case = await _instructed_then_listed(
        gateway, capsys, monkeypatch, lists, "in_transit"
    )
    await gateway.drain()
    assert (await gateway.get(rem["id"]))["status"] == "on_hold"
    assert await decide(gateway, officers, case.id, "approve", ("analyst",)) == ["on_hold"]
    assert await decide(gateway, officers, case.id, "approve", ("supervisor",)) == ["approved"]
    await gateway.drain()
    done = await gateway.get(rem["id"])
    path = [h["to"] for h in done["history"]]
    assert done["status"] == "paid_out" and path.count("paid_out") == 1
    assert path[path.index("approved") + 1] == "in_transit"
    payouts = (await (await gateway.sim.get("/_sim/payouts")).json())["payouts"]
    assert payouts[rem["id"]]["payments"] == 1
    assert await wallet(gateway, sender["id"]) == Decimal("400.00")
    assert await gateway.ledger_findings() == []


@pytest.mark.parametrize("sim_faults", [{"pay_delay_ms": 3_600_000}])
async def test_a_withdrawn_instruction_approved_is_refunded_not_sent_again(
    gateway, officers, lists, monkeypatch, capsys
) -> None:
    """The partner cancelled it: the same key would find the cancelled payout, so an approval
    refunds the sender in full (who may send again) instead of paying twice or never."""
    sender, rem, case = await _instructed_then_listed(gateway, capsys, monkeypatch, lists)
    await gateway.drain()
    assert (await gateway.get(rem["id"]))["status"] == "on_hold"
    await decide(gateway, officers, case.id, "approve", ("analyst", "supervisor"))
    await gateway.drain()
    done = await gateway.get(rem["id"])
    assert [h["to"] for h in done["history"]][-3:] == ["approved", "failed", "refunded"]
    assert "withdrawn from the partner" in done["history"][-2]["reason"]
    assert await wallet(gateway, sender["id"]) == Decimal("500.00")
    payouts = (await (await gateway.sim.get("/_sim/payouts")).json())["payouts"]
    assert payouts[rem["id"]]["status"] == "cancelled" and payouts[rem["id"]]["payments"] == 0
    assert await gateway.ledger_findings() == []


async def _pull_partner_has_it(gateway, capsys, monkeypatch, lists):
    await register(gateway, PARTNER, base_url=None, kinds="payout,pull", callback=False)
    await load_lists(gateway, capsys, monkeypatch, lists)
    sender = await gateway.customer(external_id="s-pull")
    await gateway.top_up(sender["id"], "500.00")
    rem = await send_from_wallet(gateway, sender, LISTED)
    await gateway.drain()
    assert (await gateway.get(rem["id"]))["status"] == "payout_pending"
    assert rem["id"] in await _pull_list(gateway)
    assert (await cli(capsys, "sanctions", "load", str(lists[1])))[0] == 0
    assert await sanctions.refresh(gateway.svc)
    return sender, rem


async def _pull_list(gateway, status: str = "pending") -> set[str]:
    resp = await gateway.client.get(
        f"/v1/partner/payouts?status={status}", headers=gateway.auth("partner")
    )
    assert resp.status == 200, await resp.text()
    return {p["payout_id"] for p in (await resp.json())["payouts"]}


async def test_a_pull_partner_no_longer_sees_a_held_payout_and_sees_it_again_once_approved(
    gateway, officers, lists, monkeypatch, capsys
) -> None:
    sender, rem = await _pull_partner_has_it(gateway, capsys, monkeypatch, lists)
    assert (await rescreening.run_to_end(gateway.svc)).held == 1
    assert rem["id"] not in await _pull_list(gateway)  # withdrawing: gone from its list
    await gateway.drain()
    assert (await gateway.get(rem["id"]))["status"] == "on_hold"
    assert rem["id"] not in await _pull_list(gateway)
    [case] = await cases_of(gateway, rem["id"])
    await decide(gateway, officers, case.id, "approve", ("analyst", "supervisor"))
    await gateway.drain()
    assert (await gateway.get(rem["id"]))["status"] == "payout_pending"
    assert rem["id"] in await _pull_list(gateway)  # listed again, the same payout id
    partner = gateway.auth("partner")
    base = f"/v1/partner/payouts/{rem['id']}"
    assert (await gateway.client.post(f"{base}/accept", headers=partner)).status == 200
    paid = {"status": "paid", "partner_reference": "PULL-26"}
    assert (await gateway.client.post(f"{base}/status", json=paid, headers=partner)).status == 200
    await gateway.drain()
    done = await gateway.get(rem["id"])
    assert done["status"] == "paid_out" and done["partner_reference"] == "PULL-26"
    assert await wallet(gateway, sender["id"]) == Decimal("400.00")


async def test_a_pull_partner_that_accepted_is_reported_too_late(
    gateway, officers, lists, monkeypatch, capsys
) -> None:
    sender, rem = await _pull_partner_has_it(gateway, capsys, monkeypatch, lists)
    partner = gateway.auth("partner")
    base = f"/v1/partner/payouts/{rem['id']}"
    assert (await gateway.client.post(f"{base}/accept", headers=partner)).status == 200
    progress = await rescreening.run_to_end(gateway.svc)
    assert progress.held == 0 and progress.too_late == 1
    assert (await gateway.get(rem["id"]))["status"] == "payout_pending"  # not stopped
    code, status = await cli(capsys, "sanctions", "status")
    assert code == 0 and status["rescreening"][0]["too_late"] == [rem["id"]]
    [case] = await cases_of(gateway, rem["id"])
    view = await case_view(gateway, officers, case.id)
    assert view["origin"] == "rescreening" and "taken the payout on" in view["evidence"]["too_late"]
    assert "too late to hold" in view["money"]["summary"]
    # The officers' decision is their record of it; the payout it could not stop goes on.
    assert await decide(gateway, officers, case.id, "reject", ("analyst",)) == ["payout_pending"]
    assert await wallet(gateway, sender["id"]) == Decimal("400.00")  # nothing moved back
