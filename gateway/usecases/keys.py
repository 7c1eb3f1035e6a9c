"""API keys and personal-data keys, as an operator manages them (`remit keys`): a key is
created and revoked with its audit entry in one transaction; its secret is shown once and
kept only as a hash (gateway.storage.keys)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.domain.callers import ROLES, Caller
from gateway.storage import keys as store
from gateway.storage.datakeys import new_key_line
from gateway.storage.rotation import RotationReport, rotate
from gateway.usecases.operator_audit import Operator
from ledger_adapter.sessions import reading

__all__ = ["ROLES", "create_key", "list_keys", "new_data_key", "revoke_key", "rotate_data"]


async def create_key(
    engine: AsyncEngine,
    operator: Operator,
    name: str,
    role: str,
    partner_id: str | None,
    now: datetime,
) -> tuple[str, Caller]:
    """A new key (its secret, once) and who it makes the caller; ValueError for a role it
    cannot have (unknown, or a partner key without its partner)."""
    async with engine.begin() as conn:
        key, caller = await store.create_key(conn, name, role, partner_id, now)
        after = {"role": caller.role} | ({"partner": partner_id} if partner_id else {})
        await operator.record(conn, now, "key.create", caller.key_id, after)
    return key, caller


async def list_keys(engine: AsyncEngine) -> list[dict[str, object]]:
    """Every key, never its secret."""
    async with reading(engine) as conn:
        return await store.list_keys(conn)


async def revoke_key(engine: AsyncEngine, operator: Operator, key_id: str, now: datetime) -> bool:
    """Revoke a live key (final); False when no live key has that id (nothing recorded)."""
    async with engine.begin() as conn:
        revoked = await store.revoke_key(conn, key_id, now)
        if revoked:
            await operator.record(conn, now, "key.revoke", key_id)
    return revoked


def new_data_key(key_id: str) -> str:
    """A new personal-data key as a REMIT_DATA_KEYS entry (id:key)."""
    return new_key_line(key_id)


async def rotate_data(engine: AsyncEngine, batch: int) -> RotationReport:
    """Re-seal personal data under the newest key, `batch` rows a transaction."""
    return await rotate(engine, batch)
