"""Durable events: every committed transition already writes a `remittance_history` row in the
same transaction, so that table is the event log. Consumers (webhooks, bot notifications) keep
a cursor per consumer and read forward from it; a crash re-reads from the last saved cursor, so
delivery is at-least-once and consumers dedupe by history id."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.storage.tables import event_cursors, remittance_history, remittances


async def read_after(conn: AsyncConnection, consumer: str, limit: int = 100) -> Sequence[sa.Row]:
    """History rows past the consumer's cursor, oldest first, joined with their remittance's
    owner (the sending app) and sender."""
    cursor = await conn.scalar(
        sa.select(event_cursors.c.last_id).where(event_cursors.c.consumer == consumer)
    )
    query = (
        sa.select(
            remittance_history,
            remittances.c.owner,
            remittances.c.sender_id,
            remittances.c.status.label("current_status"),
        )
        .join(remittances, remittances.c.id == remittance_history.c.remittance_id)
        .where(remittance_history.c.id > (cursor or 0))
        .order_by(remittance_history.c.id)
        .limit(limit)
    )
    return (await conn.execute(query)).all()


async def save_cursor(conn: AsyncConnection, consumer: str, last_id: int) -> None:
    updated = await conn.execute(
        event_cursors.update()
        .where(event_cursors.c.consumer == consumer, event_cursors.c.last_id < last_id)
        .values(last_id=last_id)
    )
    if updated.rowcount == 0:
        exists = await conn.scalar(
            sa.select(event_cursors.c.consumer).where(event_cursors.c.consumer == consumer)
        )
        if exists is None:
            await conn.execute(event_cursors.insert().values(consumer=consumer, last_id=last_id))


async def read_kyc_after(
    conn: AsyncConnection, consumer: str, limit: int = 100
) -> Sequence[sa.Row]:
    """KYC events (gateway.usecases.kyc_reviews) past the consumer's cursor, oldest first: the
    same at-least-once reading as remittance history, with a cursor of its own."""
    from gateway.storage.tables_kyc import kyc_events

    cursor = await conn.scalar(
        sa.select(event_cursors.c.last_id).where(event_cursors.c.consumer == consumer)
    )
    query = (
        sa.select(kyc_events)
        .where(kyc_events.c.id > (cursor or 0))
        .order_by(kyc_events.c.id)
        .limit(limit)
    )
    return (await conn.execute(query)).all()
