"""Graceful shutdown: a step in flight when the workers are told to stop finishes and commits;
nothing more starts, the lease is released at once, and a later run resumes to paid_out."""

from __future__ import annotations

import asyncio

import sqlalchemy as sa

from gateway.domain.states import Status
from gateway.pipeline import worker as worker_module
from gateway.storage.tables import remittances


def _gated(monkeypatch, status: Status) -> tuple[asyncio.Event, asyncio.Event]:
    """The pipeline's step for `status` waits, once entered (the first event), until the test
    lets it go (the second)."""
    entered, release = asyncio.Event(), asyncio.Event()
    real = worker_module.STEPS[status]

    async def gated(svc, rem):
        entered.set()
        await release.wait()  # the step is in flight until the test lets it go
        return await real(svc, rem)

    monkeypatch.setitem(worker_module.STEPS, status, gated)
    return entered, release


async def _stopped_in_flight(gateway, monkeypatch, status: Status):
    """A remittance sent and the workers told to stop while its `status` step is in flight:
    its row once they have stopped."""
    entered, release = _gated(monkeypatch, status)
    created = await gateway.send_from_wallet()
    stop = asyncio.Event()
    task = asyncio.create_task(worker_module.Worker(gateway.svc).run(stop))
    await asyncio.wait_for(entered.wait(), 30)
    stop.set()  # shutdown begins while the step is in flight
    release.set()
    await asyncio.wait_for(task, 30)
    async with gateway.svc.engine.connect() as conn:
        query = sa.select(remittances).where(remittances.c.id == created["id"])
        return (await conn.execute(query)).one()


async def test_stop_lets_the_step_in_flight_finish_and_leaves_the_rest_resumable(
    gateway, monkeypatch
) -> None:
    # Shutdown begins while the payout instruction is in flight.
    row = await _stopped_in_flight(gateway, monkeypatch, Status.IN_TRANSIT)
    # The instruction's outcome was committed, and nothing after it ran.
    assert row.status == Status.PAYOUT_PENDING.value
    assert row.lease_owner is None and row.lease_until is None
    assert row.next_attempt_at is not None  # due: whoever runs next resumes it
    sim = await (await gateway.sim.get("/_sim/payouts")).json()
    assert sim["total_payments"] == 1

    await gateway.drain()
    assert (await gateway.get(row.id))["status"] == "paid_out"
    sim = await (await gateway.sim.get("/_sim/payouts")).json()
    assert sim["total_payments"] == 1


async def test_stop_mid_chain_releases_the_lease_without_counting_an_attempt(
    gateway, monkeypatch
) -> None:
    """Stopping between two chained steps gives the row back due now, attempts untouched."""
    row = await _stopped_in_flight(gateway, monkeypatch, Status.SCREENING)
    assert row.status == Status.QUOTED.value  # screening committed; funding never started
    assert row.lease_owner is None and row.attempts == 0
    await gateway.drain()
    assert (await gateway.get(row.id))["status"] == "paid_out"
