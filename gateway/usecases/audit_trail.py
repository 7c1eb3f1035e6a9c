"""Reading the compliance audit trail and proving it whole: the API and the console ask the
same questions, so neither opens storage itself."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from compliance.audit import Finding
from gateway.services import Services
from gateway.storage import audit
from ledger_adapter.sessions import reading


async def entries(svc: Services, *, after_seq: int = 0, limit: int = 500) -> list[dict[str, Any]]:
    """Entries after `after_seq`, oldest first (a reader pages on with the last seq)."""
    async with reading(svc.engine) as conn:
        return await audit.entries(conn, after_seq=after_seq, limit=limit)


async def check(svc: Services) -> Finding | None:
    """The first entry that breaks the chain or its anchor, or None when it is whole."""
    async with reading(svc.engine) as conn:
        return await audit.check(conn, svc.settings.audit_hmac_key)


async def review(svc: Services, limit: int) -> tuple[list[dict[str, Any]], Finding | None]:
    """The newest entries and the chain's verdict, read together (one snapshot): what an
    officer sees on the audit page."""
    async with reading(svc.engine) as conn:
        found = await audit.entries(conn, limit=limit, newest_first=True)
        return found, await audit.check(conn, svc.settings.audit_hmac_key)


async def verify(engine: AsyncEngine, key: bytes | None) -> tuple[int, Finding | None]:
    """How many entries the chain holds and the first that breaks it (None: whole), read
    together: `remit audit verify`."""
    async with reading(engine) as conn:
        count = len(await audit.entries(conn))
        return count, await audit.check(conn, key)


async def record(
    svc: Services,
    conn: AsyncConnection,
    at: datetime,
    actor: str,
    action: str,
    object_id: str,
    **change: Mapping[str, Any] | None,
) -> None:
    """Append what `actor` did to `object_id` (`before`, `after`: ids and states, never
    personal data) in the caller's transaction, so it commits with what it records."""
    entry = {"at": at, "actor": actor, "action": action, "object_id": object_id}
    await audit.append(conn, key=svc.settings.audit_hmac_key, **entry, **change)
