"""Group commit: concurrent requests that each need one durable row (a firm quote) share one
transaction and one disk flush. Idle, a row is written at once; under load, the rows that
arrive while a flush is running go together in the next one. Each caller returns only after
its row is committed, so durability per request is unchanged.

How a batch reaches the database is a small port, `BatchWriter`, with two implementations:
the async engine (PostgreSQL), and for a SQLite file one thread with its own stdlib `sqlite3`
connection. Why the second: through aiosqlite a transaction is about eight round trips between
the event loop and aiosqlite's thread, and under HTTP load each round trip waits behind every
ready request, so a flush took several times as long and capped quotes at one batch per flush.
One hop per batch keeps the flush short (figures: `bench/fx.py`, docs/design.md).
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.batching import Batcher
from gateway.storage.statements import COMMITS, STATEMENTS

Row = dict[str, Any]


class BatchWriter(Protocol):
    async def write(self, rows: Sequence[Row]) -> None:
        """Insert every row in one transaction, or none of them."""

    async def aclose(self) -> None: ...


class EngineBatchWriter:
    """One transaction on the async engine per batch."""

    def __init__(self, engine: AsyncEngine, table: sa.Table) -> None:
        self._engine = engine
        self._table = table

    async def write(self, rows: Sequence[Row]) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(self._table.insert(), list(rows))

    async def aclose(self) -> None:
        return None


class SqliteThreadBatchWriter:
    """One thread owning one `sqlite3` connection to the engine's database file.

    The statement and the value conversions come from SQLAlchemy (the table and the engine's
    dialect), so rows are stored exactly as the engine would store them. The connection gets
    the engine's settings: full sync, foreign keys, a busy timeout, and `BEGIN IMMEDIATE`, so
    it queues behind the pipeline's writers like any other writer. Tables with Python-side
    column defaults are refused: those are applied only by SQLAlchemy's own execution.
    """

    def __init__(self, engine: AsyncEngine, table: sa.Table, busy_timeout_s: float = 60.0) -> None:
        if any(c.default is not None for c in table.c):
            raise ValueError(f"{table.name} has Python-side defaults; use EngineBatchWriter")
        self._path = database_file(engine)
        if self._path is None:
            raise ValueError("SqliteThreadBatchWriter needs a SQLite database file")
        self._dialect = engine.dialect
        self._table = table
        self._timeout = busy_timeout_s
        self._thread = ThreadPoolExecutor(1, thread_name_prefix=f"batch-{table.name}")
        self._db: sqlite3.Connection | None = None
        self._statements: dict[frozenset[str], tuple[str, list[tuple[str, Any]]]] = {}

    def _statement(self, keys: frozenset[str]) -> tuple[str, list[tuple[str, Any]]]:
        """INSERT text and, per positional parameter, its key and value converter."""
        found = self._statements.get(keys)
        if found is None:
            compiled = self._table.insert().compile(dialect=self._dialect, column_keys=list(keys))
            names = list(compiled.positiontup or ())
            found = (
                str(compiled),
                [(name, self._table.c[name].type.bind_processor(self._dialect)) for name in names],
            )
            self._statements[keys] = found
        return found

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self._path, timeout=self._timeout, isolation_level=None)
        db.execute("PRAGMA synchronous=FULL")
        db.execute("PRAGMA foreign_keys=ON")
        return db

    def _write_now(self, rows: Sequence[Row]) -> None:
        if self._db is None:
            self._db = self._connect()
        by_columns: dict[frozenset[str], list[Row]] = {}
        for row in rows:
            by_columns.setdefault(frozenset(row), []).append(row)
        self._db.execute("BEGIN IMMEDIATE")
        try:
            for keys, group in by_columns.items():
                sql, params = self._statement(keys)
                self._db.executemany(sql, [_convert(row, params) for row in group])
                STATEMENTS.inc()
            self._db.execute("COMMIT")
            COMMITS.inc()
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    async def write(self, rows: Sequence[Row]) -> None:
        await asyncio.get_running_loop().run_in_executor(self._thread, self._write_now, rows)

    def _close_now(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    async def aclose(self) -> None:
        await asyncio.get_running_loop().run_in_executor(self._thread, self._close_now)
        self._thread.shutdown(wait=True)


def _convert(row: Row, params: list[tuple[str, Callable[[Any], Any] | None]]) -> tuple[Any, ...]:
    return tuple(
        row[name] if convert is None or row[name] is None else convert(row[name])
        for name, convert in params
    )


def database_file(engine: AsyncEngine) -> str | None:
    """The file behind a SQLite engine; None for PostgreSQL or an in-memory database."""
    url = engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    if url.query.get("mode") == "memory":
        return None
    return url.database


def batch_writer_for(engine: AsyncEngine, table: sa.Table) -> BatchWriter:
    if database_file(engine) is not None:
        return SqliteThreadBatchWriter(engine, table)
    return EngineBatchWriter(engine, table)


class GroupInserter:
    def __init__(
        self,
        engine: AsyncEngine,
        table: sa.Table,
        max_batch: int = 500,
        writer: BatchWriter | None = None,
    ) -> None:
        self.writer = writer or batch_writer_for(engine, table)
        self._batcher: Batcher[Row, None] = Batcher(self._write, max_batch)

    async def insert(self, values: Row) -> None:
        """Returns once the row is committed (with the others of its batch)."""
        await self._batcher(values)

    async def _write(self, rows: list[Row]) -> list[None]:
        await self.writer.write(rows)
        return [None] * len(rows)

    async def aclose(self) -> None:
        """Wait for rows already accepted, then release the writer."""
        await self._batcher.aclose()
        await self.writer.aclose()
