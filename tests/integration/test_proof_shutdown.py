"""Graceful shutdown: a step in flight when the workers are told to stop finishes and commits;
nothing more starts, the lease is released at once, and a later run resumes to paid_out."""

from __future__ import annotations

import asyncio

import sqlalchemy as sa

from gateway.domain.states import Status
from gateway.pipeline import worker as worker_module
from gateway.storage.tables import remittances


async def test_stop_lets_the_step_in_flight_finish_and_leaves_the_rest_resumable(
    gateway, monkeypatch
) -> None:
    entered, release = asyncio.Event(), asyncio.Event()
    real = worker_module.STEPS[Status.IN_TRANSIT]

    async def gated(svc, rem):
        entered.set()
        await release.wait()  # the step is in flight until the test lets it go
        return await real(svc, rem)

    monkeypatch.setitem(worker_module.STEPS, Status.IN_TRANSIT, gated)
    sender = await gateway.customer()
    await gateway.top_up(sender["id"])
    created = await gateway.send("100.00", sender=sender)

    stop = asyncio.Event()
    worker = worker_module.Worker(gateway.svc)
    task = asyncio.create_task(worker.run(stop))
    await asyncio.wait_for(entered.wait(), 30)
    stop.set()  # shutdown begins while the payout instruction is in flight
    release.set()
    await asyncio.wait_for(task, 30)

    async with gateway.svc.engine.connect() as conn:
        row = (
            await conn.execute(sa.select(remittances).where(remittances.c.id == created["id"]))
        ).one()
    # The instruction's outcome was committed, and nothing after it ran.
    assert row.status == Status.PAYOUT_PENDING.value
    assert row.lease_owner is None and row.lease_until is None
    assert row.next_attempt_at is not None  # due: whoever runs next resumes it
    sim = await (await gateway.sim.get("/_sim/payouts")).json()
    assert sim["total_payments"] == 1

    await gateway.drain()
    assert (await gateway.get(created["id"]))["status"] == "paid_out"
    sim = await (await gateway.sim.get("/_sim/payouts")).json()
    assert sim["total_payments"] == 1


async def test_stop_mid_chain_releases_the_lease_without_counting_an_attempt(
    gateway, monkeypatch
) -> None:
    """Stopping between two chained steps gives the row back due now, attempts untouched."""
    entered, release = asyncio.Event(), asyncio.Event()
    real = worker_module.STEPS[Status.SCREENING]

    async def gated(svc, rem):
        entered.set()
        await release.wait()
        return await real(svc, rem)

    monkeypatch.setitem(worker_module.STEPS, Status.SCREENING, gated)
    sender = await gateway.customer()
    await gateway.top_up(sender["id"])
    created = await gateway.send("100.00", sender=sender)

    stop = asyncio.Event()
    task = asyncio.create_task(worker_module.Worker(gateway.svc).run(stop))
    await asyncio.wait_for(entered.wait(), 30)
    stop.set()
    release.set()
    await asyncio.wait_for(task, 30)

    async with gateway.svc.engine.connect() as conn:
        row = (
            await conn.execute(sa.select(remittances).where(remittances.c.id == created["id"]))
        ).one()
    assert row.status == Status.QUOTED.value  # screening committed; funding never started
    assert row.lease_owner is None and row.attempts == 0
    await gateway.drain()
    assert (await gateway.get(created["id"]))["status"] == "paid_out"
