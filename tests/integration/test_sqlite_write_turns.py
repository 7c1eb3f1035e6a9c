"""A SQLite engine's write transactions in one process take turns on the event loop
(`SqliteTurnEngine`), never in SQLite's busy handler: with no busy timeout at all, concurrent
writers all commit, where plain pooled connections find the database locked."""

from __future__ import annotations

import asyncio

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from ledger_adapter.sessions import SqliteTurnEngine, reading, use_immediate_transactions

WRITERS = 12


def _engine(path, turns: bool) -> AsyncEngine:
    # timeout 0: a connection that finds the write lock taken fails at once, no busy wait
    engine = create_async_engine(
        f"sqlite+aiosqlite:///{path}", connect_args={"timeout": 0}, pool_size=WRITERS
    )
    if turns:
        engine = SqliteTurnEngine(engine.sync_engine)
    use_immediate_transactions(engine)
    return engine


async def _write_concurrently(engine: AsyncEngine) -> list[object]:
    async with engine.begin() as conn:
        await conn.execute(sa.text("PRAGMA journal_mode=WAL"))
        await conn.execute(sa.text("CREATE TABLE IF NOT EXISTS t (n INTEGER PRIMARY KEY)"))

    async def write(n: int) -> None:
        async with engine.begin() as conn:
            await conn.execute(sa.text("INSERT INTO t (n) VALUES (:n)"), {"n": n})
            await asyncio.sleep(0)  # others start meanwhile
            await conn.execute(sa.text("UPDATE t SET n = n WHERE n = :n"), {"n": n})

    return await asyncio.gather(*(write(n) for n in range(WRITERS)), return_exceptions=True)


async def test_writers_take_turns_and_all_commit_without_a_busy_wait(tmp_path) -> None:
    engine = _engine(tmp_path / "turns.db", turns=True)
    try:
        results = await _write_concurrently(engine)
        assert results == [None] * WRITERS
        async with reading(engine) as conn:
            rows = (await conn.execute(sa.text("SELECT n FROM t ORDER BY n"))).scalars().all()
        assert rows == list(range(WRITERS))
    finally:
        await engine.dispose()


async def test_without_turns_the_same_writers_find_the_database_locked(tmp_path) -> None:
    """The case the turns exist for (and proof the test above could fail)."""
    engine = _engine(tmp_path / "plain.db", turns=False)
    try:
        results = await _write_concurrently(engine)
        locked = [r for r in results if isinstance(r, Exception)]
        assert locked and all("database is locked" in str(r) for r in locked)
    finally:
        await engine.dispose()


async def test_a_read_does_not_wait_for_a_writers_turn(tmp_path) -> None:
    engine = _engine(tmp_path / "read.db", turns=True)
    try:
        await _write_concurrently(engine)
        async with engine.begin() as conn:  # holds the turn and the write lock
            await conn.execute(sa.text("INSERT INTO t (n) VALUES (100)"))
            async with reading(engine) as reader:  # WAL: reads the last commit meanwhile
                count = (await reader.execute(sa.text("SELECT count(*) FROM t"))).scalar_one()
        assert count == WRITERS
    finally:
        await engine.dispose()


async def test_the_gateways_engine_takes_turns(tmp_path) -> None:
    from gateway.storage.engine import create_engine

    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'gw.db'}")
    try:
        assert isinstance(engine, SqliteTurnEngine)
    finally:
        await engine.dispose()
