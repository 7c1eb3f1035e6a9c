"""One async engine per process; SQLite gets WAL, a busy timeout and `BEGIN IMMEDIATE` so that
concurrent writers queue instead of failing on a lock upgrade, and the process's writers take
turns on the event loop (`ledger_adapter.sessions.SqliteTurnEngine`) rather than in SQLite's
busy handler. Blocks that read or write on it take their connection from
`ledger_adapter.sessions` (`reading`, `autocommit`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from gateway.storage.sealed import attach
from gateway.storage.statements import count_statements
from ledger_adapter.sessions import SqliteTurnEngine, use_immediate_transactions

__all__ = ["create_engine", "is_sqlite", "ping"]


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


async def ping(conn: AsyncConnection) -> None:
    """A trivial query: returns once the database answers."""
    await conn.execute(text("SELECT 1"))


#: Statements kept prepared per PostgreSQL connection: SQLAlchemy's cache and asyncpg's own (the
#: ledger's statements). Why more than their 100: a batched read's `IN (...)` is one statement
#: text per batch size, so a worker's batches alone make a few hundred, and a statement pushed
#: out is parsed and planned again by the server on its next use.
PREPARED_STATEMENTS = {"prepared_statement_cache_size": 2000, "statement_cache_size": 2000}


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """The engine, with its personal-data keyring attached (MissingDataKeys: PostgreSQL and no
    REMIT_DATA_KEYS) and its statements and commits counted (gateway.storage.statements)."""
    if is_sqlite(url):
        engine = SqliteTurnEngine(
            create_async_engine(url, connect_args={"timeout": 60}, **kwargs).sync_engine
        )
        _sqlite_tuning(engine)
    else:
        kwargs.setdefault("pool_size", 10)
        kwargs.setdefault("max_overflow", 10)
        kwargs.setdefault("pool_pre_ping", False)
        kwargs.setdefault("connect_args", PREPARED_STATEMENTS)
        engine = create_async_engine(url, **kwargs)
    attach(engine, url)
    count_statements(engine)
    return engine


def _sqlite_tuning(engine: AsyncEngine) -> None:
    use_immediate_transactions(engine)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.close()
