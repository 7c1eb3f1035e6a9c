"""Travel-rule records (tables_travel): the originator and beneficiary data a remittance
carries, sealed to the remittance's row."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.storage.sealed import row_value
from gateway.storage.tables_travel import travel_rule_records


async def insert_record(
    conn: AsyncConnection,
    remittance_id: str,
    *,
    regime: str,
    rule: str,
    originator: dict[str, Any],
    beneficiary: dict[str, Any],
    created_at: datetime,
    keep_until: datetime,
) -> None:
    """The remittance's record; originator and beneficiary sealed to its row."""
    await conn.execute(
        travel_rule_records.insert().values(
            remittance_id=remittance_id,
            regime=regime,
            rule=rule,
            originator=row_value(remittance_id, originator),
            beneficiary=row_value(remittance_id, beneficiary),
            created_at=created_at,
            keep_until=keep_until,
        )
    )


async def is_bound(conn: AsyncConnection, remittance_id: str) -> bool:
    """Whether the remittance carries a record."""
    found = await conn.scalar(
        sa.select(travel_rule_records.c.remittance_id).where(
            travel_rule_records.c.remittance_id == remittance_id
        )
    )
    return found is not None


async def records(conn: AsyncConnection, remittance_ids: Sequence[str]) -> Sequence[Any]:
    """The records of these remittances (those that carry one)."""
    if not remittance_ids:
        return []
    query = sa.select(travel_rule_records).where(
        travel_rule_records.c.remittance_id.in_(list(remittance_ids))
    )
    return (await conn.execute(query)).all()


async def copy_record(conn: AsyncConnection, from_id: str, to_id: str) -> None:
    """The record of `from_id`, if any, again for `to_id` (sealed again, to its row)."""
    found = await records(conn, [from_id])
    if not found:
        return
    copied = {k: v for k, v in found[0]._mapping.items() if k not in ("id", "remittance_id")}
    for name in ("originator", "beneficiary"):
        copied[name] = row_value(to_id, copied[name])
    await conn.execute(travel_rule_records.insert().values(remittance_id=to_id, **copied))
