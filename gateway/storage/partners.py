"""Partners registered by operators, and the payout adapters built from them."""

from __future__ import annotations

import secrets as pysecrets
from datetime import datetime

import aiohttp
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from corridors.payout import HttpPayoutPartner, PayoutAdapter
from gateway.storage.tables import partners


def new_secret() -> str:
    return pysecrets.token_urlsafe(32)


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
    }
    if existing is None:
        await conn.execute(partners.insert().values(id=partner_id, created_at=now, **values))
    else:
        await conn.execute(partners.update().where(partners.c.id == partner_id).values(**values))


class PartnerDirectory:
    """Builds each partner's adapter on first use, so partners added while running are found."""

    def __init__(self, engine: AsyncEngine, session: aiohttp.ClientSession, timeout_s: float):
        self._engine = engine
        self._session = session
        self._timeout_s = timeout_s
        self._adapters: dict[str, PayoutAdapter] = {}

    def install(self, partner_id: str, adapter: PayoutAdapter) -> None:
        self._adapters[partner_id] = adapter

    async def payout(self, partner_id: str) -> PayoutAdapter:
        adapter = self._adapters.get(partner_id)
        if adapter is not None:
            return adapter
        async with self._engine.connect() as conn:
            row = (
                await conn.execute(sa.select(partners).where(partners.c.id == partner_id))
            ).first()
        if row is None or not row.base_url:
            raise LookupError(f"partner {partner_id} is not registered with a base URL")
        adapter = HttpPayoutPartner(
            row.base_url,
            partner_id,
            row.secrets[0]["secret"].encode(),
            self._session,
            timeout_s=self._timeout_s,
        )
        self._adapters[partner_id] = adapter
        return adapter
