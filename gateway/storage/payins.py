"""Payment references and pay-in rows (tables_funding)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from corridors.payin import new_reference
from gateway.domain.payin_states import CUSTOMER_MONEY, check_transition
from gateway.domain.payin_states import PayinStatus as P
from gateway.storage.remittances import in_period
from gateway.storage.tables_funding import payin_references, payins


async def issue_reference(
    conn: AsyncConnection,
    *,
    customer_id: str,
    currency: str,
    method: str,
    now: datetime,
    remittance_id: str | None = None,
) -> str:
    """A new reference row (a remittance keeps the one it has)."""
    if remittance_id is not None:
        existing = await reference_of(conn, remittance_id)
        if existing is not None:
            return existing.reference
    reference = new_reference()
    await conn.execute(
        payin_references.insert().values(
            reference=reference,
            customer_id=customer_id,
            remittance_id=remittance_id,
            method=method,
            currency=currency,
            created_at=now,
        )
    )
    return reference


async def reference_of(conn: AsyncConnection, remittance_id: str) -> Any:
    return (
        await conn.execute(
            sa.select(payin_references).where(payin_references.c.remittance_id == remittance_id)
        )
    ).first()


async def find_reference(conn: AsyncConnection, reference: str) -> Any:
    return (
        await conn.execute(
            sa.select(payin_references).where(payin_references.c.reference == reference)
        )
    ).first()


async def credited_minor(conn: AsyncConnection, remittance_id: str) -> int:
    """What matched pay-ins to this remittance's reference have put in the wallet."""
    total = await conn.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(payins.c.amount_minor), 0)).where(
            payins.c.remittance_id == remittance_id, payins.c.status.in_(CUSTOMER_MONEY)
        )
    )
    return int(total or 0)


async def get(conn: AsyncConnection, payin_id: str) -> Any:
    return (await conn.execute(sa.select(payins).where(payins.c.id == payin_id))).first()


async def of_remittance(conn: AsyncConnection, remittance_id: str) -> list[Any]:
    query = sa.select(payins).where(payins.c.remittance_id == remittance_id).order_by(payins.c.id)
    return list((await conn.execute(query)).all())


async def set_status(
    conn: AsyncConnection, payin_id: str, frm: tuple[str, ...], to: str, now: datetime, **fields
) -> bool:
    """Compare-and-set: false when another request moved the row first. Each move from one of
    `frm` must be in the pay-in's table (setting the state a row already has is no move);
    IllegalTransition otherwise, and nothing is written."""
    for current in frm:
        if current != to:
            check_transition(current, to)
    result = await conn.execute(
        payins.update()
        .where(payins.c.id == payin_id, payins.c.status.in_(frm))
        .values(status=to, updated_at=now, **fields)
    )
    return result.rowcount == 1


async def insert(conn: AsyncConnection, values: dict[str, Any]) -> None:
    await conn.execute(payins.insert().values(**values))


async def in_suspense(conn: AsyncConnection, limit: int) -> Sequence[Any]:
    """Pay-ins no reference matched, oldest first."""
    query = (
        sa.select(payins)
        .where(payins.c.status == P.SUSPENSE)
        .order_by(payins.c.received_at, payins.c.id)
        .limit(limit)
    )
    return (await conn.execute(query)).all()


async def moved_money(
    conn: AsyncConnection, partner_id: str, since: datetime | None, until: datetime | None
) -> Sequence[Any]:
    """The partner's pay-ins that moved money (credited or parked; an authorisation never
    captured moved none), by when they were received."""
    query = sa.select(payins).where(
        payins.c.partner_id == partner_id, payins.c.status != P.AUTHORIZED
    )
    return (await conn.execute(in_period(query, payins.c.received_at, since, until))).all()
