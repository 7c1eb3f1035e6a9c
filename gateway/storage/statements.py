"""Counters of the SQL statements and commits this process sent its database, for /metrics and
the benchmark's "statements and commits per remittance" (#28).

Every engine from `gateway.storage.engine.create_engine` is counted, through SQLAlchemy's engine
events and, on PostgreSQL, asyncpg's query logger, which also sees what the ledger sends on
asyncpg directly (`ledger_adapter/pg.py`) and SQLAlchemy's transaction control. What counts:

- a statement: each statement text sent (an executemany is one: one statement, many rows);
  transaction control (BEGIN, COMMIT, ROLLBACK) is not a statement;
- a commit: each COMMIT, and each write that commits on its own (an autocommit connection on
  PostgreSQL). A reading block's statements on SQLite (no BEGIN) commit nothing.

The counters are created outside any registry; `gateway.metrics` registers them with its own
(and under `--processes N` their values go to the shared files like every other counter)."""

from __future__ import annotations

from typing import Any

from prometheus_client import Counter
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

__all__ = ["COMMITS", "STATEMENTS", "count_statements"]

STATEMENTS = Counter(
    "remit_db_statements",
    "SQL statements sent to the database (transaction control not included).",
    registry=None,
)
COMMITS = Counter(
    "remit_db_commits",
    "Transactions committed: each COMMIT and each write that commits on its own.",
    registry=None,
)

_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "START", "SAVEPOINT", "RELEASE", "END")


def _first_word(sql: str) -> str:
    return sql.lstrip().split(None, 1)[0].rstrip(";").upper() if sql.strip() else ""


def _on_execute(conn: Any, _cursor: Any, statement: str, _params: Any, _ctx: Any, many: bool):
    asyncpg = conn.dialect.driver == "asyncpg"
    if asyncpg and many:
        return  # asyncpg logs an executemany itself (see _on_asyncpg_query)
    word = _first_word(statement)
    if word in _CONTROL:
        return  # SQLite's BEGIN IMMEDIATE (its commit is counted by the commit event)
    STATEMENTS.inc()
    if asyncpg and word != "SELECT" and getattr(conn.connection.dbapi_connection, "autocommit", 0):
        COMMITS.inc()  # an autocommit write on PostgreSQL is its own transaction


def _on_commit(conn: Any) -> None:
    if conn.dialect.driver != "asyncpg":  # asyncpg's COMMIT is seen by its query logger
        COMMITS.inc()


def _on_asyncpg_query(raw: Any, record: Any) -> None:
    """What asyncpg sends outside SQLAlchemy's prepared statements: transaction control (of
    SQLAlchemy's transactions and the ledger's), the ledger's own statements, executemany.
    Called soon after the query ended, so `raw` (its connection) is still in the state the
    query left it in: outside a transaction, a write committed on its own."""
    sql = record.query
    word = _first_word(sql)
    if word == "COMMIT":
        COMMITS.inc()
        return
    rest = sql.split(";", 1)[1] if ";" in sql else ""
    if word in _CONTROL and not rest.strip():
        return  # BEGIN, ROLLBACK ... alone; "BEGIN; SELECT ... FOR UPDATE" is a statement
    STATEMENTS.inc()
    writes = word not in ("SELECT", *_CONTROL)
    if writes and record.exception is None and not raw.is_in_transaction():
        COMMITS.inc()


def count_statements(engine: AsyncEngine) -> None:
    """Count the engine's statements and commits in STATEMENTS and COMMITS. Idempotent."""
    sync = engine.sync_engine
    if event.contains(sync, "before_cursor_execute", _on_execute):
        return
    event.listen(sync, "before_cursor_execute", _on_execute)
    event.listen(sync, "commit", _on_commit)
    if sync.dialect.driver == "asyncpg":
        event.listen(sync, "connect", _log_asyncpg_queries)


def _log_asyncpg_queries(dbapi_connection: Any, _record: Any) -> None:
    raw = dbapi_connection.driver_connection
    raw.add_query_logger(lambda record: _on_asyncpg_query(raw, record))
