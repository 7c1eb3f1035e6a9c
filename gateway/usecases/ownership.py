"""Whose rows a caller may see: its own, unless it is an operator (the rule and its queries:
gateway.storage.owners). A row that is not the caller's is answered as missing, never
"forbidden"."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.domain.callers import Caller
from gateway.errors import NotFound
from gateway.storage.owners import owned_customer, owned_remittance

__all__ = ["own_remittance", "owned_customer", "owned_remittance"]


async def own_remittance(conn: AsyncConnection, caller: Caller, remittance_id: str) -> Any:
    """The remittance if the caller may see it; NotFound otherwise."""
    row = await owned_remittance(conn, caller, remittance_id)
    if row is None:
        raise NotFound(f"remittance {remittance_id}")
    return row
