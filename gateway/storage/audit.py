"""Appending to and reading the audit chain. Appends are serialised by locking the anchor row
(PostgreSQL FOR UPDATE; SQLite writers are serialised by BEGIN IMMEDIATE)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from compliance.audit import GENESIS, Anchor, Finding, anchor_mac, entry_hash, verify
from gateway.storage.tables_compliance import audit_anchor, audit_log

ANCHOR_ID = 1


async def _locked_anchor(conn: AsyncConnection) -> Any:
    query = sa.select(audit_anchor).where(audit_anchor.c.id == ANCHOR_ID)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = (await conn.execute(query)).first()
    if row is None:
        # First entry ever: create the anchor; concurrent first writers both end up locking it.
        insert = (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(
            audit_anchor
        )
        await conn.execute(
            insert.values(id=ANCHOR_ID, seq=0, hash=GENESIS).on_conflict_do_nothing()
        )
        row = (await conn.execute(query)).one()
    return row


async def append(
    conn: AsyncConnection,
    *,
    key: bytes | None,
    at: datetime,
    actor: str,
    action: str,
    object_id: str,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> int:
    """Append one entry in the caller's transaction (so it commits with what it records)."""
    head = await _locked_anchor(conn)
    entry = {
        "seq": head.seq + 1,
        "at": at.isoformat(),
        "actor": actor,
        "action": action,
        "object_id": object_id,
        "before": dict(before) if before is not None else None,
        "after": dict(after) if after is not None else None,
    }
    digest = entry_hash(head.hash, entry)
    await conn.execute(audit_log.insert().values(**entry, prev_hash=head.hash, hash=digest))
    await conn.execute(
        audit_anchor.update()
        .where(audit_anchor.c.id == ANCHOR_ID)
        .values(seq=entry["seq"], hash=digest, mac=anchor_mac(key, entry["seq"], digest))
    )
    return entry["seq"]


async def entries(
    conn: AsyncConnection, *, after_seq: int = 0, limit: int | None = None, newest_first=False
) -> list[dict[str, Any]]:
    query = sa.select(audit_log).where(audit_log.c.seq > after_seq)
    query = query.order_by(audit_log.c.seq.desc() if newest_first else audit_log.c.seq)
    if limit:
        query = query.limit(limit)
    return [dict(row._mapping) for row in (await conn.execute(query)).all()]


async def check(conn: AsyncConnection, key: bytes | None) -> Finding | None:
    row = (
        await conn.execute(sa.select(audit_anchor).where(audit_anchor.c.id == ANCHOR_ID))
    ).first()
    anchor = Anchor(row.seq, row.hash, row.mac) if row is not None else None
    return verify(await entries(conn), anchor, key)
