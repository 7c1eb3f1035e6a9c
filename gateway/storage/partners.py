"""Partners registered by operators: their rows and the queries on them (the payout adapters
built from them are `gateway.partners.PartnerDirectory`).

`kinds` is a comma-separated set: "payout", "payin", and "pull" for a payout partner that
collects its instructions from our API (GET /v1/partner/payouts) instead of receiving them.
Secrets are a JSON list, newest first; a rotated-out secret keeps verifying until it expires.
"""

from __future__ import annotations

import secrets as pysecrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.storage.tables import partners

PULL = "pull"


def new_secret() -> str:
    return pysecrets.token_urlsafe(32)


@dataclass(frozen=True)
class PartnerInfo:
    id: str
    name: str
    base_url: str | None
    callback_url: str | None
    kinds: frozenset[str]
    secrets: tuple[bytes, ...]
    # Where the partner is paid in coin on chain; None: settled in the ledger only.
    chain_address: str | None = None

    @property
    def pull(self) -> bool:
        return PULL in self.kinds


def active_secrets(stored: list[dict], now: datetime) -> tuple[bytes, ...]:
    """Newest first; an expired (rotated-out) secret no longer counts."""
    live = []
    for item in stored:
        expires = item.get("expires_at")
        if expires is None or datetime.fromisoformat(expires) > now:
            live.append(item["secret"].encode())
    return tuple(live)


def parse_kinds(kinds: str) -> frozenset[str]:
    return frozenset(k.strip() for k in kinds.split(",") if k.strip())


async def upsert_partner(
    conn: AsyncConnection,
    partner_id: str,
    *,
    name: str,
    base_url: str | None,
    secret: str,
    now: datetime,
    callback_url: str | None = None,
    kinds: str = "payout",
    chain_address: str | None = None,
) -> None:
    existing = (
        await conn.execute(sa.select(partners.c.id).where(partners.c.id == partner_id))
    ).first()
    values = {
        "name": name,
        "base_url": base_url,
        "callback_url": callback_url,
        "secrets": [{"secret": secret, "created_at": now.isoformat(), "expires_at": None}],
        "kinds": kinds,
        "chain_address": chain_address,
    }
    if existing is None:
        await conn.execute(partners.insert().values(id=partner_id, created_at=now, **values))
    else:
        await conn.execute(partners.update().where(partners.c.id == partner_id).values(**values))


async def set_chain_address(conn: AsyncConnection, partner_id: str, address: str | None) -> None:
    result = await conn.execute(
        partners.update().where(partners.c.id == partner_id).values(chain_address=address)
    )
    if result.rowcount == 0:
        raise LookupError(f"partner {partner_id} is not registered")


async def rotate_secret(
    conn: AsyncConnection, partner_id: str, secret: str, now: datetime, overlap: timedelta
) -> None:
    """Put `secret` first; the older ones keep verifying for `overlap`, then stop."""
    row = (await conn.execute(sa.select(partners).where(partners.c.id == partner_id))).first()
    if row is None:
        raise LookupError(f"partner {partner_id} is not registered")
    until = (now + overlap).isoformat()
    old = [
        {**s, "expires_at": s.get("expires_at") or until}
        for s in row.secrets
        if s.get("expires_at") is None or datetime.fromisoformat(s["expires_at"]) > now
    ]
    fresh = {"secret": secret, "created_at": now.isoformat(), "expires_at": None}
    await conn.execute(
        partners.update().where(partners.c.id == partner_id).values(secrets=[fresh, *old])
    )


async def get_partner(conn: AsyncConnection, partner_id: str, now: datetime) -> PartnerInfo | None:
    row = (await conn.execute(sa.select(partners).where(partners.c.id == partner_id))).first()
    return None if row is None else partner_info(row, now)


def partner_info(row: sa.Row, now: datetime) -> PartnerInfo:
    return PartnerInfo(
        id=row.id,
        name=row.name,
        base_url=row.base_url,
        callback_url=row.callback_url,
        kinds=parse_kinds(row.kinds),
        secrets=active_secrets(row.secrets, now),
        chain_address=row.chain_address,
    )
