"""Whose rows a caller may see: its own, unless it is an operator.

One place for the rule, so that no query can forget the owner filter or spell it another way.
A row that is not the caller's is answered as missing (never "forbidden"), so a caller cannot
learn that another caller's id exists (gateway.usecases.ownership raises NotFound for it).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.domain.callers import Caller
from gateway.storage.tables import customers, remittances


def scoped(query: sa.Select, table: sa.Table, caller: Caller) -> sa.Select:
    """The query narrowed to the caller's own rows of `table`; an operator sees all."""
    if caller.role != "operator":
        query = query.where(table.c.owner == caller.name)
    return query


async def owned_row(conn: AsyncConnection, table: sa.Table, caller: Caller, row_id: str) -> Any:
    """The row of `table` with this id if the caller may see it, else None."""
    query = scoped(sa.select(table).where(table.c.id == row_id), table, caller)
    return (await conn.execute(query)).first()


async def owned_remittance(conn: AsyncConnection, caller: Caller, remittance_id: str) -> Any:
    """The remittance if the caller may see it, else None."""
    return await owned_row(conn, remittances, caller, remittance_id)


async def owned_customer(conn: AsyncConnection, caller: Caller, customer_id: str) -> Any:
    """The customer if the caller may see it, else None."""
    return await owned_row(conn, customers, caller, customer_id)
