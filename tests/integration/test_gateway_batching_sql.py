"""Set-based work on the database: a batch of worker transitions is one statement that decides each
row on its own; reads asked for together are one select, ledger lookups one ledger read (the
batcher itself: tests/unit/test_gateway_batching.py)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
import sqlalchemy as sa

from gateway.domain.states import IllegalTransition
from gateway.storage import remittances as store
from gateway.storage.tables import remittance_history, remittances
from ledger_adapter.sessions import autocommit


async def _leased(gateway, count: int, owner: str) -> list[sa.Row]:
    """`count` new remittances, claimed by `owner` (in state created)."""
    for i in range(count):
        sender = await gateway.customer(external_id=f"batch-{i}")
        await gateway.top_up(sender["id"], "500.00")
        await gateway.send("10.00", sender=sender)
    async with autocommit(gateway.svc.engine) as conn:
        lease = timedelta(seconds=30)
        return list(await store.claim_due(conn, owner, gateway.clock(), lease, count))


async def test_many_transitions_in_one_statement_each_decided_alone(gateway) -> None:
    if gateway.svc.engine.dialect.name != "postgresql":
        pytest.skip("the batched statement is PostgreSQL's")
    a, b, c, d = await _leased(gateway, 4, "worker-1")
    now = gateway.clock()
    later = now + timedelta(minutes=5)

    def wanted(row, frm="created", to="screening", owner="worker-1", **fields):
        return store.LeasedTransition(
            remittance_id=row.id,
            frm=frm,
            to=to,
            now=now,
            reason=f"test {row.id}",
            lease_owner=owner,
            relock_until=later,
            fields=fields,
        )

    async with autocommit(gateway.svc.engine) as conn:
        results = await store.transition_many(
            conn,
            [
                wanted(a),
                wanted(b, payout_status="accepted"),  # another shape: its own statement
                wanted(c, frm="quoted", to="awaiting_funds"),  # not in that state
                wanted(d, owner="worker-2"),  # not that worker's lease
            ],
        )
    assert [type(r).__name__ for r in results[2:]] == ["StaleState", "StaleState"]
    assert results[0].id == a.id and results[1].id == b.id
    assert results[0].status == results[1].status == "screening"
    assert results[0].lease_owner == "worker-1" and results[0].lease_until == later
    assert results[1].payout_status == "accepted" and results[0].payout_status is None
    assert results[1].recipient == b.recipient  # JSON columns come back decoded
    async with autocommit(gateway.svc.engine) as conn:
        stored = {
            r.id: r
            for r in await conn.execute(
                sa.select(remittances.c.id, remittances.c.status, remittances.c.payout_status)
            )
        }
        history = (
            await conn.execute(
                sa.select(remittance_history).where(remittance_history.c.to_status == "screening")
            )
        ).all()
    assert {k: v.status for k, v in stored.items()} == {
        a.id: "screening",
        b.id: "screening",
        c.id: "created",
        d.id: "created",
    }
    assert sorted((h.remittance_id, h.from_status, h.reason) for h in history) == sorted(
        [(a.id, "created", f"test {a.id}"), (b.id, "created", f"test {b.id}")]
    )
    assert all(h.at == now for h in history)


async def test_a_transition_the_table_forbids_fails_alone_and_writes_nothing(gateway) -> None:
    if gateway.svc.engine.dialect.name != "postgresql":
        pytest.skip("the batched statement is PostgreSQL's")
    a, b = await _leased(gateway, 2, "worker-1")
    now = gateway.clock()
    forbidden = store.LeasedTransition(a.id, "created", "paid_out", now, "x", "worker-1", None, {})
    fine = store.LeasedTransition(b.id, "created", "screening", now, "y", "worker-1", None, {})
    async with autocommit(gateway.svc.engine) as conn:
        results = await store.transition_many(conn, [forbidden, fine])
        status = dict((await conn.execute(sa.select(remittances.c.id, remittances.c.status))).all())
    assert isinstance(results[0], IllegalTransition)
    assert results[1].status == "screening"
    assert status == {a.id: "created", b.id: "screening"}


async def test_reads_asked_for_together_are_one_select_and_each_caller_gets_its_row(
    gateway,
) -> None:
    from sqlalchemy import event
    from sqlalchemy.exc import NoResultFound

    from gateway.storage.keyed_reads import KeyedReads
    from gateway.storage.tables import quotes

    ids = [(await gateway.quote(amount))["id"] for amount in ("10.00", "20.00", "30.00")]
    engine = gateway.svc.engine
    reads = KeyedReads(engine, sa.select(quotes), quotes.c.id)
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:
        if "FROM quotes" in statement:
            statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        rows = await asyncio.gather(
            reads.one(ids[0]), reads.one(ids[1]), reads.one(ids[2]), reads.one(ids[0])
        )
        missing = await asyncio.gather(
            reads.first("quote-that-is-not"), reads.one("quote-that-is-not"), return_exceptions=True
        )
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)
    assert [r.id for r in rows] == [ids[0], ids[1], ids[2], ids[0]]
    assert [r.send_amount_minor for r in rows] == [1000, 2000, 3000, 1000]
    assert missing[0] is None and isinstance(missing[1], NoResultFound)
    assert len(statements) == 2  # one per loop turn, not one per caller


async def test_ledger_transfers_looked_up_together_are_one_ledger_read() -> None:
    """The pipeline's transfer lookups in one loop turn reach the ledger's port once."""
    from sqlalchemy.ext.asyncio import create_async_engine

    from gateway.storage.keyed_reads import PipelineReads
    from ledger_adapter.memory import InMemoryLedger
    from ledger_adapter.port import Account, TransferSpec

    calls: list[list[str]] = []

    class CountingLedger(InMemoryLedger):
        async def get_transfers(self, ids):
            calls.append(list(ids))
            return await super().get_transfers(ids)

    ledger = CountingLedger()
    await ledger.create_accounts([Account("a", "USD"), Account("b", "USD")])
    await ledger.transfer([TransferSpec("t1", "a", "b", 5, "USD")])
    reads = PipelineReads(create_async_engine("sqlite+aiosqlite://"), ledger)  # not read here
    found = await asyncio.gather(reads.transfer("t1"), reads.transfer("nope"), reads.transfer("t1"))
    assert [t.id if t else None for t in found] == ["t1", None, "t1"]
    assert calls == [["t1", "nope", "t1"]]


async def test_the_pipelines_per_remittance_reads_are_one_select_per_step_for_a_batch(
    gateway,
) -> None:
    """Remittances a worker advances together read their coin on the chain (three steps look)
    and their travel-rule record (screening's start and the instruction) in one statement per
    step, not one per remittance."""
    from sqlalchemy import event

    count = 5  # one more sender to the same recipient is an AML hold
    for i in range(count):
        sender = await gateway.customer(external_id=f"reads-{i}")
        await gateway.top_up(sender["id"], "500.00")
        await gateway.send("10.00", sender=sender)
    engine = gateway.svc.engine
    selects = {"chain_items": 0, "travel_rule_records": 0}

    def tally(conn, cursor, statement, *args) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            for table in selects:
                if f"FROM {table}" in statement:
                    selects[table] += 1

    event.listen(engine.sync_engine, "before_cursor_execute", tally)
    try:
        await gateway.drain()
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", tally)
    async with engine.connect() as conn:
        states = (await conn.execute(sa.select(remittances.c.status))).scalars().all()
    assert states == ["paid_out"] * count
    # One remittance at a time: 3 and 2 per remittance (15 and 10).
    assert 1 <= selects["chain_items"] <= 3 * 2 < 3 * count
    assert 1 <= selects["travel_rule_records"] <= 2 * 2 < 2 * count
