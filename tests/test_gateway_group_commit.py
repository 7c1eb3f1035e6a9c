"""Concurrent firm quotes share commits, and every caller's row is durable when it returns."""

import asyncio

import sqlalchemy as sa
from sqlalchemy import event

from gateway.storage.group_commit import GroupInserter
from gateway.storage.tables import quotes


async def test_concurrent_quotes_are_all_stored_in_fewer_commits(gateway) -> None:
    engine = gateway.svc.engine
    commits = 0

    def count(_conn) -> None:
        nonlocal commits
        commits += 1

    event.listen(engine.sync_engine, "commit", count)
    try:
        bodies = await asyncio.gather(*(gateway.quote(f"{10 + i}.00") for i in range(40)))
    finally:
        event.remove(engine.sync_engine, "commit", count)
    async with engine.connect() as conn:
        stored = set((await conn.execute(sa.select(quotes.c.id))).scalars())
    assert {b["id"] for b in bodies} <= stored
    assert len(stored) == 40
    assert commits < 40  # grouped: fewer transactions than quotes


async def test_a_failed_batch_fails_every_caller(gateway) -> None:
    writer = GroupInserter(gateway.svc.engine, quotes)
    bad = {"id": "qt_dup"}  # missing NOT NULL columns: the insert must fail
    results = await asyncio.gather(
        writer.insert(dict(bad)), writer.insert(dict(bad, id="qt_dup2")), return_exceptions=True
    )
    assert all(isinstance(r, Exception) for r in results)
    async with gateway.svc.engine.connect() as conn:
        assert await conn.scalar(sa.select(sa.func.count()).select_from(quotes)) == 0
