"""Senders' error reports (tables_errors): the cases, their compare-and-set moves, and the
reads officers and the bots make of them."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.storage.sealed import row_value
from gateway.storage.tables import remittances
from gateway.storage.tables_errors import error_cases


async def insert_case(conn: AsyncConnection, values: dict[str, Any]) -> None:
    """A new case; the sender's description sealed to its row."""
    sealed = row_value(values["id"], values["description"])
    await conn.execute(error_cases.insert().values(**{**values, "description": sealed}))


async def get_case(conn: AsyncConnection, case_id: str) -> Any:
    return (await conn.execute(sa.select(error_cases).where(error_cases.c.id == case_id))).first()


async def set_if_status(
    conn: AsyncConnection, case_id: str, expected: str, values: dict[str, Any]
) -> bool:
    """Update the case only if it is still in status `expected`; False when it moved
    meanwhile."""
    done = await conn.execute(
        error_cases.update()
        .where(error_cases.c.id == case_id, error_cases.c.status == expected)
        .values(**values)
    )
    return done.rowcount == 1


async def cases_with_remittance(
    conn: AsyncConnection, statuses: Collection[str] | None
) -> Sequence[Any]:
    """Cases in one of `statuses` (None: all), oldest report first, each with its
    remittance's send currency and corridor."""
    query = sa.select(error_cases, remittances.c.send_currency, remittances.c.corridor_id).join(
        remittances, remittances.c.id == error_cases.c.remittance_id
    )
    if statuses is not None:
        query = query.where(error_cases.c.status.in_(list(statuses)))
    return (await conn.execute(query.order_by(error_cases.c.reported_at))).all()


async def latest_resolved(conn: AsyncConnection, remittance_id: str) -> Any:
    """The remittance's case resolved last, or None."""
    query = (
        sa.select(error_cases)
        .where(error_cases.c.remittance_id == remittance_id, error_cases.c.status == "resolved")
        .order_by(error_cases.c.reported_outcome_at.desc())
        .limit(1)
    )
    return (await conn.execute(query)).first()
