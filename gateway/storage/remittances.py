"""Remittance persistence: committed transitions with their history rows, and work claiming."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.domain.states import AUTOMATIC, IllegalTransition, Status, check_transition
from gateway.storage.sealed import sealed_type, sql_columns
from gateway.storage.tables import (
    compliance_cases,
    customers,
    quotes,
    remittance_history,
    remittances,
)

# The accept path's statements, built once and run with parameters: building a statement
# (its values and clauses, then its cache key) cost about as much CPU as running it, on the
# request every sender waits for.
# The caller's quote and sender in one read: each side NULL when not found (or not theirs).
_QUOTE_AND_SENDER = sa.select(
    *(c.label(f"quote_{c.name}") for c in quotes.c),
    *(c.label(f"sender_{c.name}") for c in customers.c),
).select_from(
    sa.select(sa.literal(1).label("one"))
    .subquery("one")
    .outerjoin(
        quotes,
        sa.and_(quotes.c.id == sa.bindparam("quote_id"), quotes.c.owner == sa.bindparam("caller")),
    )
    .outerjoin(
        customers,
        sa.and_(
            customers.c.id == sa.bindparam("sender_id"), customers.c.owner == sa.bindparam("caller")
        ),
    )
)
_SENDER_ROW = sa.select(customers.c.id).where(customers.c.id == sa.bindparam("sender_id"))
_LOCK_SENDER = {"postgresql": _SENDER_ROW.with_for_update()}  # SQLite: the write lock serialises


class StaleState(Exception):
    """The row moved on (another worker, a person, or a lost lease): the step's result is void."""


_INSERT_HISTORY = remittance_history.insert().returning(*remittance_history.c)


def _side(row: Any, table: sa.Table, prefix: str) -> SimpleNamespace | None:
    """One table's columns of a joined row, by their own names; None if it matched no row."""
    values = {c.name: getattr(row, prefix + c.name) for c in table.c}
    return None if values["id"] is None else SimpleNamespace(**values)


async def quote_and_sender(
    conn: AsyncConnection, quote_id: str, sender_id: str, owner: str
) -> tuple[SimpleNamespace | None, SimpleNamespace | None]:
    """The quote and the sender a new remittance is made from, in one read; each None when
    unknown or not `owner`'s."""
    params = {"quote_id": quote_id, "sender_id": sender_id, "caller": owner}
    row = (await conn.execute(_QUOTE_AND_SENDER, params)).one()
    return _side(row, quotes, "quote_"), _side(row, customers, "sender_")


async def lock_sender(conn: AsyncConnection, sender_id: str) -> None:
    """Hold the sender's row until the transaction ends (PostgreSQL: FOR UPDATE; SQLite's
    write lock serialises already), so one sender's submissions run one at a time."""
    await conn.execute(_LOCK_SENDER.get(conn.dialect.name, _SENDER_ROW), {"sender_id": sender_id})


@functools.lru_cache(maxsize=4)
def _sent_since_statement(not_counted: tuple[str, ...]) -> sa.Select:
    return sa.select(
        sa.func.coalesce(
            sa.func.sum(remittances.c.send_amount_minor).filter(
                remittances.c.created_at >= sa.bindparam("day")
            ),
            0,
        ),
        sa.func.coalesce(sa.func.sum(remittances.c.send_amount_minor), 0),
    ).where(
        remittances.c.sender_id == sa.bindparam("sender_id"),
        remittances.c.created_at >= sa.bindparam("month"),
        remittances.c.status.not_in(not_counted),
    )


async def sent_since(
    conn: AsyncConnection,
    sender_id: str,
    day: datetime,
    month: datetime,
    not_counted: Sequence[str],
) -> tuple[int, int]:
    """What the sender sent since `day` and since `month` (earlier), in minor units, in one
    statement; remittances in a `not_counted` status left out."""
    statement = _sent_since_statement(tuple(str(s) for s in not_counted))
    params = {"sender_id": sender_id, "day": day, "month": month}
    row = (await conn.execute(statement, params)).one()
    return int(row[0]), int(row[1])


async def add_history(
    conn: AsyncConnection,
    remittance_id: str,
    frm: str | None,
    to: str,
    at: datetime,
    reason: str,
    event: str | None = None,
) -> sa.Row:
    """Append a history row; returns it as stored. `event` names a row that records an event
    (the status stays as it is) instead of a move."""
    row = {
        "remittance_id": remittance_id,
        "from_status": frm,
        "to_status": to,
        "at": at,
        "reason": reason[:300],
        "event": event,
    }
    return (await conn.execute(_INSERT_HISTORY, row)).one()


async def create(conn: AsyncConnection, values: dict[str, Any], reason: str) -> sa.Row:
    """Insert a new remittance and its first history row; returns the remittance as stored.
    One statement on PostgreSQL (the history row is inserted from the new row, as in
    `transition`); two on SQLite, in the caller's transaction."""
    one_statement = conn.dialect.name == "postgresql"
    statement = _create_statement(tuple(values), one_statement)
    params = _write_params(values, reason, one_statement)
    row = (await conn.execute(statement, params)).one()
    if not one_statement:
        await add_history(conn, row.id, None, row.status, row.created_at, reason)
    return row


@functools.lru_cache(maxsize=16)
def _create_statement(names: tuple[str, ...], one_statement: bool) -> sa.Executable:
    """The INSERT (with the history INSERT, on PostgreSQL) for one set of columns, built once."""
    insert = remittances.insert().values(_new_values(names)).returning(*remittances.c)
    return _with_history(insert, sa.null(), "created_at") if one_statement else insert


def _new_values(names: tuple[str, ...]) -> dict[str, sa.BindParameter]:
    # Bind names never match a column: in an UPDATE, SQLAlchemy would SET a column so named.
    return {name: sa.bindparam(f"new_{name}", type_=remittances.c[name].type) for name in names}


def _write_params(values: dict[str, Any], reason: str, one_statement: bool) -> dict[str, Any]:
    """The parameters `_new_values` names, and the history row's reason when it is written by
    the same statement."""
    params = {f"new_{name}": value for name, value in values.items()}
    if one_statement:
        params["history_reason"] = reason[:300]
    return params


def _with_history(write: sa.Insert | sa.Update, frm: Any, at: str) -> sa.Select:
    """`write` (returning the remittance row) and the INSERT of the history row made from what
    it wrote, in one statement: a data-modifying CTE (PostgreSQL)."""
    written = write.cte("written")
    history = remittance_history.insert().from_select(
        ["remittance_id", "from_status", "to_status", "at", "reason"],
        sa.select(
            written.c.id,
            frm,
            written.c.status,
            written.c[at],
            sa.bindparam("history_reason", type_=remittance_history.c.reason.type),
        ),
    )
    return sa.select(written).add_cte(history.cte("history"))


def next_attempt_for(status: Status, now: datetime) -> datetime | None:
    """Only states a worker advances are scheduled; the rest wait for an event."""
    return now if status in AUTOMATIC else None


async def transition(
    conn: AsyncConnection,
    remittance_id: str,
    frm: str,
    to: str,
    *,
    now: datetime,
    reason: str,
    lease_owner: str | None = None,
    unleased: bool = False,
    next_attempt_at: datetime | None = None,
    relock_until: datetime | None = None,
    **fields: Any,
) -> sa.Row:
    """Move `frm -> to` if the table allows it and the row is still in `frm` (and, for workers,
    still leased by them; with `unleased`, only if no worker holds it). Writes the history row
    with it and returns the row as it now is.

    With `relock_until` (workers only) a worker keeps its lease on a state it advances itself,
    so it can run the next step at once instead of releasing and re-claiming the row.

    On PostgreSQL this is one statement (the history row is inserted from the updated row), so
    a transition with nothing else to write may run under `autocommit`; on SQLite, which has
    no data-modifying CTEs, it is two statements in the caller's transaction."""
    target = check_transition(frm, to)
    values = _transition_values(target, now, lease_owner, relock_until, next_attempt_at, fields)
    one_statement = conn.dialect.name == "postgresql"
    statement = _transition_statement(
        tuple(values), lease_owner is not None, unleased, one_statement
    )
    params = _write_params(values, reason, one_statement)
    params.update(by_id=remittance_id, by_status=frm)
    if lease_owner is not None:
        params["by_owner"] = lease_owner
    if unleased:
        params["by_now"] = now
    row = (await conn.execute(statement, params)).first()
    if row is None:
        raise StaleState(f"{remittance_id} is no longer {frm}")
    if not one_statement:
        await add_history(conn, remittance_id, frm, target.value, now, reason)
    return row


def _transition_values(
    target: Status,
    now: datetime,
    lease_owner: str | None,
    relock_until: datetime | None,
    next_attempt_at: datetime | None,
    fields: dict[str, Any],
) -> dict[str, Any]:
    keep = relock_until is not None and lease_owner is not None and target in AUTOMATIC
    return {
        "status": target.value,
        "updated_at": now,
        "next_attempt_at": next_attempt_at or next_attempt_for(target, now),
        "attempts": 0,
        "last_error": None,
        "lease_owner": lease_owner if keep else None,
        "lease_until": relock_until if keep else None,
        **fields,
    }


@dataclass(frozen=True)
class LeasedTransition:
    """A worker's transition of a row it holds the lease on (see `transition`). With `through`,
    a fused run (#28): the states passed on the way from `frm` to `to`, each with the reason of
    the move into it, every move checked against the table and written as its own history row,
    in order, by the same write. `effects` write in its transaction, after it."""

    remittance_id: str
    frm: str
    to: str
    now: datetime
    reason: str
    lease_owner: str
    relock_until: datetime | None
    fields: dict[str, Any]
    through: tuple[tuple[str, str], ...] = ()
    effects: tuple[Callable[[AsyncConnection], Awaitable[None]], ...] = ()

    def moves(self) -> list[tuple[str, str, str]]:
        """(from, to, reason) of each move, in order."""
        states = [self.frm, *(state for state, _ in self.through), self.to]
        reasons = [*(reason for _, reason in self.through), self.reason]
        return [(a, b, r[:300]) for a, b, r in zip(states[:-1], states[1:], reasons, strict=True)]

    def checked(self) -> Status:
        """The final state, once every move is one the table allows (else IllegalTransition)."""
        target = None
        for frm, to, _ in self.moves():
            target = check_transition(frm, to)
        assert target is not None
        return target


async def transition_many(
    conn: AsyncConnection, wanted: Sequence[LeasedTransition]
) -> list[sa.Row | Exception]:
    """Many workers' transitions and fused runs, each as `transition` would make it, in the
    caller's transaction. On PostgreSQL those without effects or personal data take one
    statement per set of changed columns: the rows and all their history rows come from arrays
    (unnest). The others take an UPDATE, their history rows and their effects each. A row no
    longer in its `frm` state, or no longer leased by the caller, gets StaleState, one whose
    moves the table forbids IllegalTransition, and neither is written."""
    results: list[sa.Row | Exception] = [
        StaleState(f"{t.remittance_id} is no longer {t.frm}") for t in wanted
    ]
    shapes: dict[tuple[str, ...], list[tuple[int, LeasedTransition, dict[str, Any]]]] = {}
    alone: list[tuple[int, LeasedTransition, dict[str, Any]]] = []
    set_based = conn.dialect.name == "postgresql"
    for i, t in enumerate(wanted):
        try:
            target = t.checked()
        except IllegalTransition as exc:
            results[i] = exc
            continue
        values = _transition_values(target, t.now, t.lease_owner, t.relock_until, None, t.fields)
        if set_based and not t.effects and not any(sealed_type(remittances.c[n]) for n in values):
            shapes.setdefault(tuple(values), []).append((i, t, values))
        else:
            alone.append((i, t, values))
    for names, items in shapes.items():
        arrays = _batch_arrays(names, items)
        rows = (await conn.execute(_batch_statement(names), arrays)).all()
        where = {t.remittance_id: i for i, t, _ in items}
        for row in rows:
            results[where[row.id]] = row
    for i, t, values in alone:
        row = await _write_run(conn, t, values)
        if row is not None:
            results[i] = row
    return results


def _batch_arrays(
    names: tuple[str, ...], items: list[tuple[int, LeasedTransition, dict[str, Any]]]
) -> dict[str, list[Any]]:
    """`_batch_statement`'s parameters: one array per column of the rows, one per column of
    their history rows (all moves of all runs, in order)."""
    arrays: dict[str, list[Any]] = {"by_id": [], "by_status": [], "by_owner": []}
    arrays.update({f"new_{n}": [] for n in names})
    history: dict[str, list[Any]] = {"h_id": [], "h_from": [], "h_to": [], "h_reason": []}
    for _, t, values in items:
        arrays["by_id"].append(t.remittance_id)
        arrays["by_status"].append(t.frm)
        arrays["by_owner"].append(t.lease_owner)
        for n in names:
            arrays[f"new_{n}"].append(values[n])
        for frm, to, reason in t.moves():
            history["h_id"].append(t.remittance_id)
            history["h_from"].append(frm)
            history["h_to"].append(to)
            history["h_reason"].append(reason)
    return {**arrays, **history}


async def _write_run(
    conn: AsyncConnection, t: LeasedTransition, values: dict[str, Any]
) -> sa.Row | None:
    """One transition or fused run with its history rows and effects; None if stale."""
    one_statement = conn.dialect.name == "postgresql" and not t.through
    statement = _transition_statement(tuple(values), True, False, one_statement)
    params = _write_params(values, t.reason, one_statement)
    params.update(by_id=t.remittance_id, by_status=t.frm, by_owner=t.lease_owner)
    row = (await conn.execute(statement, params)).first()
    if row is None:
        return None
    if not one_statement:
        rows = [
            {"remittance_id": t.remittance_id, "from_status": frm, "to_status": to}
            | {"at": t.now, "reason": reason, "event": None}
            for frm, to, reason in t.moves()
        ]
        await conn.execute(remittance_history.insert(), rows)
    for effect in t.effects:
        await effect(conn)
    return row


@functools.lru_cache(maxsize=64)
def _batch_statement(names: tuple[str, ...]) -> sa.TextClause:
    """UPDATE ... FROM unnest(arrays), with the INSERT of every history row (from arrays of
    their own, in order, for the rows it wrote), for one set of columns, built once."""
    c = remittances.c
    h = remittance_history.c
    pg = postgresql.dialect()
    keys = {"by_id": c.id, "by_status": c.status, "by_owner": c.lease_owner}
    keys.update({f"new_{n}": c[n] for n in names})
    arrays = [f"CAST(:{key} AS {col.type.compile(dialect=pg)}[])" for key, col in keys.items()]
    history = {"h_id": h.remittance_id, "h_from": h.from_status, "h_to": h.to_status}
    history["h_reason"] = h.reason
    h_arrays = [f"CAST(:{k} AS {col.type.compile(dialect=pg)}[])" for k, col in history.items()]
    if any(sealed_type(c[n]) for n in names):
        raise TypeError("personal data is written by `transition`, not in a batch")
    columns = sql_columns(remittances, "written")
    sql = f"""
WITH v AS (
    SELECT * FROM unnest({", ".join(arrays)}) AS v({", ".join(keys)})
), h AS (
    SELECT * FROM unnest({", ".join(h_arrays)})
        WITH ORDINALITY AS h(remittance_id, from_status, to_status, reason, ord)
), written AS (
    UPDATE remittances AS r SET {", ".join(f"{n} = v.new_{n}" for n in names)}
    FROM v
    WHERE r.id = v.by_id AND r.status = v.by_status AND r.lease_owner = v.by_owner
    RETURNING r.*
), history AS (
    INSERT INTO remittance_history (remittance_id, from_status, to_status, at, reason)
    SELECT h.remittance_id, h.from_status, h.to_status, written.updated_at, h.reason
    FROM h JOIN written ON written.id = h.remittance_id
    ORDER BY h.ord
)
SELECT {columns} FROM written"""
    return sa.text(sql).columns(*c)


@functools.lru_cache(maxsize=128)
def _transition_statement(
    names: tuple[str, ...], leased: bool, unleased: bool, one_statement: bool
) -> sa.Executable:
    """The UPDATE (with the history INSERT, on PostgreSQL) for one shape of transition, built
    once: building it per call (a CTE proxies every column) cost more than running it."""
    c = remittances.c
    frm = sa.bindparam("by_status", type_=c.status.type)
    where = [c.id == sa.bindparam("by_id", type_=c.id.type), c.status == frm]
    if leased:
        where.append(c.lease_owner == sa.bindparam("by_owner", type_=c.lease_owner.type))
    if unleased:
        now = sa.bindparam("by_now", type_=c.lease_until.type)
        where.append(sa.or_(c.lease_until.is_(None), c.lease_until < now))
    update = remittances.update().where(*where).values(_new_values(names))
    update = update.returning(*remittances.c)
    return _with_history(update, frm, "updated_at") if one_statement else update


async def reschedule(
    conn: AsyncConnection,
    remittance_id: str,
    *,
    lease_owner: str,
    at: datetime,
    error: str | None,
    count_attempt: bool = True,
    **fields: Any,
) -> None:
    """Release the lease and try the same step again later."""
    values: dict[str, Any] = {
        "next_attempt_at": at,
        "last_error": error[:300] if error else None,
        "lease_owner": None,
        "lease_until": None,
        **fields,
    }
    if count_attempt:
        values["attempts"] = remittances.c.attempts + 1
    await conn.execute(
        remittances.update()
        .where(remittances.c.id == remittance_id, remittances.c.lease_owner == lease_owner)
        .values(**values)
    )


async def due_now(conn: AsyncConnection, remittance_id: str, status: str, now: datetime) -> None:
    """Schedule the remittance's next step now, if it is still in `status` (an event it was
    waiting for arrived)."""
    await conn.execute(
        remittances.update()
        .where(remittances.c.id == remittance_id, remittances.c.status == status)
        .values(next_attempt_at=now)
    )


async def claim_due(
    conn: AsyncConnection, worker: str, now: datetime, lease: timedelta, limit: int
) -> Sequence[sa.Row]:
    """Lease up to `limit` due remittances in one statement (UPDATE ... RETURNING). On
    PostgreSQL concurrent claimers skip each other's rows (FOR UPDATE SKIP LOCKED); SQLite has
    one writer at a time, so the update is atomic there too."""
    due = (
        sa.select(remittances.c.id)
        .where(
            remittances.c.next_attempt_at <= now,
            sa.or_(remittances.c.lease_until.is_(None), remittances.c.lease_until < now),
        )
        .order_by(remittances.c.next_attempt_at)
        .limit(limit)
    )
    if conn.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    claimed = await conn.execute(
        remittances.update()
        .where(remittances.c.id.in_(due.scalar_subquery()))
        .values(lease_owner=worker, lease_until=now + lease)
        .returning(*remittances.c)
    )
    return claimed.all()


async def get(conn: AsyncConnection, remittance_id: str) -> sa.Row | None:
    return (
        await conn.execute(sa.select(remittances).where(remittances.c.id == remittance_id))
    ).first()


async def history(conn: AsyncConnection, remittance_id: str) -> Sequence[sa.Row]:
    return (
        await conn.execute(
            sa.select(remittance_history)
            .where(remittance_history.c.remittance_id == remittance_id)
            .order_by(remittance_history.c.id)
        )
    ).all()


async def has_case(conn: AsyncConnection, remittance_id: str) -> bool:
    """Whether compliance ever opened a case on the remittance."""
    query = sa.select(compliance_cases.c.id).where(
        compliance_cases.c.remittance_id == remittance_id
    )
    return await conn.scalar(query) is not None


def in_period(
    query: sa.Select, column: sa.ColumnElement, since: datetime | None, until: datetime | None
) -> sa.Select:
    """A statement period: from `since` (inclusive) to `until` (exclusive), either open."""
    if since is not None:
        query = query.where(column >= since)
    if until is not None:
        query = query.where(column < until)
    return query


async def paid_out(
    conn: AsyncConnection, partner_id: str, since: datetime | None, until: datetime | None
) -> Sequence[sa.Row]:
    """The partner's paid_out remittances, by the time they were paid (updated_at)."""
    query = sa.select(remittances).where(
        remittances.c.partner_id == partner_id, remittances.c.status == Status.PAID_OUT.value
    )
    return (await conn.execute(in_period(query, remittances.c.updated_at, since, until))).all()
