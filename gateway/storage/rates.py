"""Stored rate sets (tables_rates): written by a refresh, read by every process that prices."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.storage.tables_rates import rate_sets


async def insert_set(conn: AsyncConnection, values: dict[str, Any]) -> None:
    await conn.execute(rate_sets.insert().values(**values))


async def newest_of_kind(conn: AsyncConnection, kind: str) -> Any:
    """The set of this kind loaded last, or None."""
    query = (
        sa.select(rate_sets)
        .where(rate_sets.c.kind == kind)
        .order_by(rate_sets.c.loaded_at.desc())
        .limit(1)
    )
    return (await conn.execute(query)).first()


async def newest_load(conn: AsyncConnection) -> datetime | None:
    """When the last set of any kind was loaded (one indexed MAX)."""
    return (await conn.execute(sa.select(sa.func.max(rate_sets.c.loaded_at)))).scalar()


async def all_sets(conn: AsyncConnection) -> Sequence[Any]:
    """Every stored set, newest load first."""
    return (await conn.execute(sa.select(rate_sets).order_by(rate_sets.c.loaded_at.desc()))).all()
