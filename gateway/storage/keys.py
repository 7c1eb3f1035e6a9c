"""API keys: shown once, stored as SHA-256 digests (they are 256-bit random, so a fast hash is
enough; passwords, which are not, use argon2 elsewhere)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.domain.callers import ROLES, Caller
from gateway.ids import new_id
from gateway.storage.tables import api_keys


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


async def create_key(
    conn: AsyncConnection, name: str, role: str, partner_id: str | None, now: datetime
) -> tuple[str, Caller]:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if role == "partner" and not partner_id:
        raise ValueError("a partner key must be bound to a partner (--partner ID)")
    prefix = secrets.token_hex(4)
    key = f"rk_{prefix}_{secrets.token_urlsafe(32)}"
    key_id = new_id("key")
    await conn.execute(
        api_keys.insert().values(
            id=key_id,
            name=name,
            role=role,
            partner_id=partner_id,
            key_hash=digest(key),
            prefix=prefix,
            created_at=now,
        )
    )
    return key, Caller(key_id, name, role, partner_id)


async def find_caller(conn: AsyncConnection, key: str) -> Caller | None:
    row = (
        await conn.execute(
            sa.select(api_keys).where(
                api_keys.c.key_hash == digest(key), api_keys.c.revoked_at.is_(None)
            )
        )
    ).first()
    if row is None:
        return None
    return Caller(row.id, row.name, row.role, row.partner_id)


async def list_keys(conn: AsyncConnection) -> list[dict[str, object]]:
    """Every key without its secret: id, name, role, partner, the key's visible prefix, and
    when it was created and revoked."""
    rows = await conn.execute(sa.select(api_keys).order_by(api_keys.c.created_at, api_keys.c.id))
    return [
        {
            "id": r.id,
            "name": r.name,
            "role": r.role,
            "partner_id": r.partner_id,
            "prefix": f"rk_{r.prefix}_",
            "created_at": r.created_at.isoformat(),
            "revoked_at": r.revoked_at.isoformat() if r.revoked_at else None,
        }
        for r in rows
    ]


async def revoke_key(conn: AsyncConnection, key_id: str, now: datetime) -> bool:
    """Revoke a key by id; False when no live key has that id. Revocation is final."""
    done = await conn.execute(
        api_keys.update()
        .where(api_keys.c.id == key_id, api_keys.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return done.rowcount == 1
