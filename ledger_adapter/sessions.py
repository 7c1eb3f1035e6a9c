"""Session helpers for every database user of the application (gateway, ledger, settler).

They sit here, on the ledger's floor, because the ledger and the chain settler need them and
may not import gateway; the gateway takes them from here too, so there is one way to read,
to write without a transaction, and to begin on SQLite.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

__all__ = ["SqliteTurnEngine", "autocommit", "reading", "use_immediate_transactions"]


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the driver, decide when transactions begin.
    dbapi_connection.isolation_level = None


#: Execution option of a SQLite connection that only reads (see `reading`).
_READS_ONLY = "remit_reads_only"


def _sqlite_on_begin(conn: Any) -> None:
    if conn.get_execution_options().get(_READS_ONLY):
        return  # no BEGIN: the driver (isolation_level None) runs each statement on its own
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def use_immediate_transactions(engine: AsyncEngine) -> None:
    """Make every transaction on a SQLite engine `BEGIN IMMEDIATE`, so writers queue on the
    database lock instead of failing on a lock upgrade. Idempotent; the gateway's engine uses it
    too, so one engine has one way of beginning."""
    sync = engine.sync_engine
    if sync.dialect.name != "sqlite" or event.contains(sync, "begin", _sqlite_on_begin):
        return
    event.listen(sync, "connect", _sqlite_on_connect)
    event.listen(sync, "begin", _sqlite_on_begin)


class SqliteTurnEngine(AsyncEngine):
    """A SQLite engine whose write transactions in this process take turns, in arrival order,
    on one asyncio lock before their `BEGIN IMMEDIATE`.

    Why: SQLite has one writer at a time, and a connection that finds the write lock taken
    sleeps in its busy handler (1, 2, 5 ... then 100 ms between tries) whatever happens
    meanwhile: with a dozen requests' transactions on a dozen pooled connections, the lock
    often sat free while every waiter slept, and the unlucky ones waited seconds. Queued on
    the loop, the next writer begins as soon as the last one ends; only other processes still
    meet the busy handler. Reads (`reading`: no BEGIN) never queue here: WAL lets them read
    while a writer writes. A write transaction must not wait, inside itself, for another one
    on the same engine: on SQLite that never could finish anyway (the file's lock is taken).
    """

    def __init__(self, sync_engine: Any) -> None:
        super().__init__(sync_engine)
        self.write_turn = asyncio.Lock()

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[AsyncConnection]:
        async with self.write_turn, super().begin() as conn:
            yield conn


@asynccontextmanager
async def reading(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection for a block that only reads: each statement runs on its own and sees
    every commit before it, with no transaction around the block.

    On PostgreSQL that saves BEGIN and ROLLBACK, two round trips per block, and loses
    nothing: under READ COMMITTED (the default, which writers rely on) each statement of a
    transaction takes its own snapshot too. On SQLite it skips `BEGIN IMMEDIATE`, so readers
    no longer queue for the write lock (in WAL mode they read while a writer writes). A read
    that needs one snapshot across statements opens a transaction instead (see
    `SqlLedger._snapshot`).
    """
    if engine.dialect.name == "postgresql":
        async with autocommit(engine) as conn:
            yield conn
        return
    async with engine.connect() as conn:
        await conn.execution_options(**{_READS_ONLY: True})
        yield conn


@asynccontextmanager
async def autocommit(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection for writes that are each one atomic statement on PostgreSQL, where they
    then commit as they run (no BEGIN and COMMIT round trips). On SQLite the block is one
    `BEGIN IMMEDIATE` transaction, committed at its end: a write there may take two
    statements (see `gateway.storage.remittances.transition`). Two writes that must land
    together on PostgreSQL do not belong here.
    """
    if engine.dialect.name != "postgresql":
        async with engine.begin() as conn:
            yield conn
        return
    async with engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        yield conn
