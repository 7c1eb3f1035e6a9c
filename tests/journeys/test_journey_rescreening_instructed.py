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
from tests.conftest import SIM_SECRET
from tests.journeys.rescreening_support import (
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


@pytest.fixture
def sim_faults() -> dict:
    return {}


@pytest.fixture
async def sim_client(aiohttp_client, sim_faults):
    from corridors.simulator import Faults, create_simulator_app

    faults = Faults(seed=7, **sim_faults)
    return await aiohttp_client(create_simulator_app(faults, SIM_SECRET.encode()))


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
