"""`reading` blocks take no transaction; `autocommit` writes on PostgreSQL take none either.

On SQLite a read that began `BEGIN IMMEDIATE` queued for the write lock behind every writer;
on PostgreSQL the BEGIN and ROLLBACK around a read were two round trips for nothing."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from gateway.storage.engine import create_engine
from ledger_adapter.sessions import autocommit, reading


async def _table(engine) -> None:
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE t (v INTEGER)"))
        await conn.execute(text("INSERT INTO t VALUES (1)"))


async def _sum(engine) -> int:
    async with reading(engine) as conn:
        return (await conn.execute(text("SELECT sum(v) FROM t"))).scalar_one()


async def test_a_sqlite_read_does_not_wait_for_a_writer(database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's write lock")
    engine = create_engine(database_url)  # the gateway's engine: WAL, BEGIN IMMEDIATE writers
    try:
        await _table(engine)
        async with engine.begin() as writer:  # holds the write lock until the block ends
            await writer.execute(text("INSERT INTO t VALUES (2)"))
            # A read that took the lock would wait for this writer, which waits for the read:
            # the bound turns that deadlock into a failure instead of a hang.
            assert await asyncio.wait_for(_sum(engine), timeout=20) == 1  # uncommitted: unseen
        assert await _sum(engine) == 3
    finally:
        await engine.dispose()


async def test_postgres_reads_and_autocommit_writes_run_each_statement_alone(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL's transactions")
    engine = create_engine(database_url)
    started = text("SELECT transaction_timestamp()")
    try:
        await _table(engine)
        for block in (reading, autocommit):
            async with block(engine) as conn:
                first = (await conn.execute(started)).scalar_one()
                second = (await conn.execute(started)).scalar_one()
            assert first < second, block.__name__  # two transactions, not one
        async with engine.begin() as conn:  # the control: one transaction, one start time
            assert (await conn.execute(started)).scalar_one() == (
                await conn.execute(started)
            ).scalar_one()
        async with autocommit(engine) as conn:
            await conn.execute(text("INSERT INTO t VALUES (2)"))
        assert await _sum(engine) == 3  # committed as it ran, with no COMMIT
    finally:
        await engine.dispose()
