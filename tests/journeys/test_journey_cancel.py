"""Journey: the sender pays, the partner has the instruction but has not paid yet; a cancel at
minute 29 withdraws it from the partner and refunds everything, fee included; at minute 31 the
cancel is refused with a problem naming the rule and nothing changes. The clock is the test's;
nothing sleeps. Public interfaces only (HTTP), plus the simulator's own view of the payout."""

from __future__ import annotations

from decimal import Decimal

import pytest


@pytest.fixture
def sim_faults() -> dict:
    """A partner that accepts at once and would pay only after an hour (never in this test)."""
    return {"pay_delay_ms": 3_600_000}


async def _wallet(gateway, customer_id: str) -> Decimal:
    resp = await gateway.client.get(f"/v1/customers/{customer_id}/wallet", headers=gateway.auth())
    body = await resp.json()
    return sum(
        (Decimal(b["available"]) for b in body["balances"] if b["currency"] == "USD"), Decimal(0)
    )


async def _paid_not_delivered(gateway):
    sender = await gateway.customer()
    await gateway.top_up(sender["id"], "500.00")
    rem = await gateway.send("100.00", sender=sender)
    await gateway.drain()
    assert (await gateway.get(rem["id"]))["status"] == "payout_pending"
    return sender, rem


async def _cancel(gateway, rem_id: str):
    return await gateway.client.post(f"/v1/remittances/{rem_id}/cancel", headers=gateway.auth())


async def test_cancel_at_minute_29_refunds_everything(gateway) -> None:
    sender, rem = await _paid_not_delivered(gateway)
    assert await _wallet(gateway, sender["id"]) == Decimal("400.00")
    gateway.clock.advance(minutes=29)
    resp = await _cancel(gateway, rem["id"])
    assert resp.status == 200, await resp.text()
    body = await resp.json()
    assert body["status"] == "cancelling"
    assert "full refund due by" in body["history"][-1]["reason"]
    await gateway.drain()
    final = await gateway.get(rem["id"])
    assert final["status"] == "cancelled"
    assert await _wallet(gateway, sender["id"]) == Decimal("500.00")  # fee 3.49 included
    sim_view = await gateway.sim.get("/_sim/payouts")
    payouts = (await sim_view.json())["payouts"]
    assert payouts[rem["id"]]["status"] == "cancelled"  # withdrawn at the partner


async def test_cancel_at_minute_31_is_refused_and_writes_nothing(gateway) -> None:
    sender, rem = await _paid_not_delivered(gateway)
    before = await gateway.get(rem["id"])
    gateway.clock.advance(minutes=31)
    resp = await _cancel(gateway, rem["id"])
    assert resp.status == 409
    problem = await resp.json()
    assert problem["type"].endswith("cancellation-window-closed")
    assert problem["rule"] == "12 CFR 1005.34" and "30 minutes" in problem["detail"]
    after = await gateway.get(rem["id"])
    assert after["status"] == "payout_pending" and after["history"] == before["history"]
    assert await _wallet(gateway, sender["id"]) == Decimal("400.00")
