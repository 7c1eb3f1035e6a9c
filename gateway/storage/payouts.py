"""What payout partners read and record on remittances: the payouts waiting for a pull
partner, its acceptance, and the final word it (or a push partner's callback) reports."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.storage.tables import remittances

r = remittances.c


async def waiting(
    conn: AsyncConnection, partner_id: str, status: str, payout_status: str | None, limit: int
) -> Sequence[Any]:
    """The partner's remittances in `status` whose payout is at `payout_status` (None: not
    taken on yet), oldest first."""
    match = r.payout_status.is_(None) if payout_status is None else r.payout_status == payout_status
    query = (
        sa.select(remittances)
        .where(r.partner_id == partner_id, r.status == status, match)
        .order_by(r.created_at, r.id)
        .limit(limit)
    )
    return (await conn.execute(query)).all()


async def accept(conn: AsyncConnection, payout_id: str, status: str, now: datetime) -> None:
    """Mark the payout accepted, if it is still in `status` and not taken on yet."""
    await conn.execute(
        remittances.update()
        .where(r.id == payout_id, r.status == status, r.payout_status.is_(None))
        .values(payout_status="accepted", updated_at=now)
    )


async def record_final(
    conn: AsyncConnection,
    payout_id: str,
    partner_id: str,
    open_statuses: Collection[str],
    final: Collection[str],
    values: dict[str, Any],
) -> bool:
    """Write the partner's final word if the payout is the partner's, in one of
    `open_statuses`, and not already at a `final` payout status; True if it was written."""
    done = await conn.execute(
        remittances.update()
        .where(
            r.id == payout_id,
            r.partner_id == partner_id,
            r.status.in_(list(open_statuses)),
            sa.or_(r.payout_status.is_(None), r.payout_status.not_in(list(final))),
        )
        .values(**values)
    )
    return done.rowcount == 1
