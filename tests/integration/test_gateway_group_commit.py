"""Concurrent firm quotes share commits, and every caller's row is durable when it returns."""

import asyncio
import sqlite3
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from gateway.storage.engine import create_engine
from gateway.storage.group_commit import (
    EngineBatchWriter,
    GroupInserter,
    SqliteThreadBatchWriter,
    batch_writer_for,
    database_file,
)
from gateway.storage.tables import quotes

T0 = datetime(2026, 11, 25, 12, 0, 0, 123456, tzinfo=UTC)


def quote_row(i: int, **changes) -> dict:
    row = {
        "id": f"qt_{i}",
        "owner": "app",
        "corridor_id": "us-ph-wallet",
        "send_currency": "USD",
        "receive_currency": "PHP",
        "send_amount_minor": 10_000 + i,
        "fee_minor": 299,
        "receive_amount_minor": 560_000,
        "mid_rate": "57.1",
        "rate": "56.9",
        "rate_source": "ecb",
        "rate_as_of": T0,
        "created_at": T0,
        "expires_at": T0,
        "remittance_id": None,
    }
    return row | changes


class CountingWriter:
    def __init__(self, inner) -> None:
        self.inner = inner
        self.batches: list[int] = []

    async def write(self, rows) -> None:
        self.batches.append(len(rows))
        await self.inner.write(rows)

    async def aclose(self) -> None:
        await self.inner.aclose()


async def stored(engine) -> list:
    async with engine.connect() as conn:
        return list(await conn.execute(sa.select(quotes).order_by(quotes.c.id)))


async def test_concurrent_quotes_are_all_stored_in_fewer_commits(gateway) -> None:
    inserter = gateway.svc.quote_writer
    counting = inserter.writer = CountingWriter(inserter.writer)
    bodies = await asyncio.gather(*(gateway.quote(f"{10 + i}.00") for i in range(40)))
    rows = await stored(gateway.svc.engine)
    assert {b["id"] for b in bodies} == {r.id for r in rows}
    assert len(rows) == 40
    assert sum(counting.batches) == 40
    assert len(counting.batches) < 40  # grouped: fewer transactions than quotes


async def test_a_failed_batch_fails_every_caller(gateway) -> None:
    writer = GroupInserter(gateway.svc.engine, quotes)
    bad = {"id": "qt_dup"}  # missing NOT NULL columns: the insert must fail
    results = await asyncio.gather(
        writer.insert(dict(bad)), writer.insert(dict(bad, id="qt_dup2")), return_exceptions=True
    )
    await writer.aclose()
    assert all(isinstance(r, Exception) for r in results)
    async with gateway.svc.engine.connect() as conn:
        assert await conn.scalar(sa.select(sa.func.count()).select_from(quotes)) == 0


async def test_one_bad_row_rolls_back_its_whole_batch(migrated_database_url) -> None:
    engine = create_engine(migrated_database_url)
    writer = batch_writer_for(engine, quotes)
    try:
        with pytest.raises((sqlite3.IntegrityError, sa.exc.IntegrityError)):
            await writer.write([quote_row(1), quote_row(2, owner=None)])
        assert await stored(engine) == []
    finally:
        await writer.aclose()
        await engine.dispose()


async def test_the_sqlite_thread_writer_stores_what_the_engine_would(migrated_database_url) -> None:
    engine = create_engine(migrated_database_url)
    if database_file(engine) is None:
        await engine.dispose()
        pytest.skip("PostgreSQL writes batches through the engine itself")
    thread_writer = SqliteThreadBatchWriter(engine, quotes)
    engine_writer = EngineBatchWriter(engine, quotes)
    try:
        await thread_writer.write([quote_row(1), quote_row(2, remittance_id=None, fee_minor=0)])
        await engine_writer.write([quote_row(3), quote_row(4, fee_minor=0)])
        rows = await stored(engine)
        as_read = [r._asdict() | {"id": None, "send_amount_minor": None} for r in rows]
        assert as_read[0] == as_read[2] and as_read[1] == as_read[3]
        assert rows[0].created_at == T0  # aware UTC with microseconds, as written
    finally:
        await thread_writer.aclose()
        await engine.dispose()


async def test_the_sqlite_thread_writer_queues_behind_another_writer(migrated_database_url) -> None:
    engine = create_engine(migrated_database_url)
    if database_file(engine) is None:
        await engine.dispose()
        pytest.skip("SQLite only")
    writer = SqliteThreadBatchWriter(engine, quotes)
    try:
        async with engine.begin() as conn:  # BEGIN IMMEDIATE: holds the write lock
            await conn.execute(quotes.insert(), [quote_row(1)])
            task = asyncio.create_task(writer.write([quote_row(2)]))
            done, _ = await asyncio.wait({task}, timeout=0.3)
            assert not done  # still waiting for the lock, not failed and not written
        await task
        assert [r.id for r in await stored(engine)] == ["qt_1", "qt_2"]
    finally:
        await writer.aclose()
        await engine.dispose()


def test_database_file_only_for_sqlite_files() -> None:
    cases = {
        "sqlite+aiosqlite:////tmp/x.db": "/tmp/x.db",
        "sqlite+aiosqlite://": None,
        "sqlite+aiosqlite:///:memory:": None,
        "postgresql+asyncpg://postgres@127.0.0.1/test": None,
    }
    for url, expected in cases.items():
        engine = create_engine(url)
        assert database_file(engine) == expected, url
