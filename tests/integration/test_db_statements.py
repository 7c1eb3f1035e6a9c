"""The gateway's count of SQL statements and commits (gateway.storage.statements, on /metrics):
each statement once, transaction control not a statement, one commit per committed
transaction and per write that commits on its own, none for a block that only reads."""

from __future__ import annotations

import asyncio

import sqlalchemy as sa

from gateway.storage.engine import create_engine
from gateway.storage.statements import COMMITS, STATEMENTS
from ledger_adapter.sessions import autocommit, reading


def _counts() -> tuple[float, float]:
    return STATEMENTS._value.get(), COMMITS._value.get()


async def _grew(before: tuple[float, float]) -> tuple[float, float]:
    await asyncio.sleep(0)  # asyncpg reports a query to its loggers on the next loop turn
    await asyncio.sleep(0)
    now = _counts()
    return now[0] - before[0], now[1] - before[1]


async def test_statements_and_commits_are_counted(database_url) -> None:
    engine = create_engine(database_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(sa.text("CREATE TABLE counted (a INTEGER)"))
        before = _counts()
        async with engine.begin() as conn:
            await conn.execute(sa.text("INSERT INTO counted VALUES (1)"))
            await conn.execute(sa.text("INSERT INTO counted VALUES (:a)"), [{"a": 2}, {"a": 3}])
        assert await _grew(before) == (2, 1)  # an executemany is one statement

        before = _counts()
        async with reading(engine) as conn:
            assert (await conn.execute(sa.text("SELECT count(*) FROM counted"))).scalar() == 3
        assert await _grew(before) == (1, 0)

        before = _counts()
        async with autocommit(engine) as conn:
            await conn.execute(sa.text("INSERT INTO counted VALUES (4)"))
        assert await _grew(before) == (1, 1)

        before = _counts()
        try:
            async with engine.begin() as conn:
                await conn.execute(sa.text("INSERT INTO counted VALUES (5)"))
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
        assert await _grew(before) == (1, 0)

        if engine.dialect.name == "postgresql":  # what the ledger sends on asyncpg directly
            before = _counts()
            async with engine.connect() as conn:
                raw = (await conn.get_raw_connection()).driver_connection
                await raw.execute("BEGIN; SELECT 1")
                await raw.execute("INSERT INTO counted VALUES (6)")
                await raw.execute("COMMIT")
                await raw.execute("INSERT INTO counted VALUES (7)")  # its own transaction
            assert await _grew(before) == (3, 2)
    finally:
        await engine.dispose()
