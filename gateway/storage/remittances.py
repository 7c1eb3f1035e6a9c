"""Remittance persistence: committed transitions with their history rows, and work claiming."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.domain.states import AUTOMATIC, Status, check_transition
from gateway.storage.tables import remittance_history, remittances


class StaleState(Exception):
    """The row moved on (another worker, a person, or a lost lease): the step's result is void."""


async def add_history(
    conn: AsyncConnection, remittance_id: str, frm: str | None, to: str, at: datetime, reason: str
) -> None:
    await conn.execute(
        remittance_history.insert().values(
            remittance_id=remittance_id, from_status=frm, to_status=to, at=at, reason=reason[:300]
        )
    )


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
    in the same transaction and returns the row as it now is.

    With `relock_until` (workers only) a worker keeps its lease on a state it advances itself,
    so it can run the next step at once instead of releasing and re-claiming the row."""
    target = check_transition(frm, to)
    where = [remittances.c.id == remittance_id, remittances.c.status == frm]
    if lease_owner is not None:
        where.append(remittances.c.lease_owner == lease_owner)
    if unleased:
        where.append(sa.or_(remittances.c.lease_until.is_(None), remittances.c.lease_until < now))
    keep = relock_until is not None and lease_owner is not None and target in AUTOMATIC
    row = (
        await conn.execute(
            remittances.update()
            .where(*where)
            .values(
                status=target.value,
                updated_at=now,
                next_attempt_at=next_attempt_at or next_attempt_for(target, now),
                attempts=0,
                last_error=None,
                lease_owner=lease_owner if keep else None,
                lease_until=relock_until if keep else None,
                **fields,
            )
            .returning(*remittances.c)
        )
    ).first()
    if row is None:
        raise StaleState(f"{remittance_id} is no longer {frm}")
    await add_history(conn, remittance_id, frm, target.value, now, reason)
    return row


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
