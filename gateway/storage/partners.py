"""Partners registered by operators, and the payout adapters built from them.

`kinds` is a comma-separated set: "payout", "payin", and "pull" for a payout partner that
collects its instructions from our API (GET /v1/partner/payouts) instead of receiving them.
Secrets are a JSON list, newest first; a rotated-out secret keeps verifying until it expires.
"""

from __future__ import annotations

import secrets as pysecrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import aiohttp
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from corridors.config import Corridor, partner_protocols
from corridors.fspiop import CallbackHub
from corridors.iso20022_partner import Iso20022PayoutPartner
from corridors.mojaloop_partner import MojaloopPayoutPartner
from corridors.payout import HttpPayoutPartner, PayoutAdapter
from gateway.storage.engine import reading
from gateway.storage.keyed_reads import KeyedReads
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


class PartnerDirectory:
    """Builds each partner's adapter on first use, so partners added while running are found."""

    def __init__(
        self,
        engine: AsyncEngine,
        session: aiohttp.ClientSession,
        timeout_s: float,
        corridors: Mapping[str, Corridor] | None = None,
    ):
        # partner id -> a corridor of it (protocol and payout method), from the corridors file
        self._corridors = partner_protocols(corridors or {})
        self._protocols: dict[str, str] = {}
        self.hub = CallbackHub()  # FSPIOP callbacks meet the requests waiting for them
        self._engine = engine
        self._session = session
        self._timeout_s = timeout_s
        self._adapters: dict[str, PayoutAdapter] = {}
        self._rows = KeyedReads(engine, sa.select(partners), partners.c.id)

    def protocol(self, partner_id: str) -> str:
        """How this partner is spoken to ("remit" JSON unless the corridors file says)."""
        if partner_id in self._protocols:
            return self._protocols[partner_id]
        corridor = self._corridors.get(partner_id)
        return corridor.partner_protocol if corridor is not None else "remit"

    def install(self, partner_id: str, adapter: PayoutAdapter, protocol: str | None = None) -> None:
        """Use `adapter` for this partner (tests, demos); `protocol` overrides the corridors
        file's for reading its callbacks."""
        self._adapters[partner_id] = adapter
        if protocol is not None:
            self._protocols[partner_id] = protocol

    def installed(self, partner_id: str) -> PayoutAdapter | None:
        """The adapter built or installed for this partner, if any yet."""
        return self._adapters.get(partner_id)

    async def info(self, partner_id: str, now: datetime) -> PartnerInfo | None:
        """Read fresh each time (secrets rotate and modes change without a restart); the
        steps asking at the same moment share one read."""
        row = await self._rows.first(partner_id)
        return None if row is None else partner_info(row, now)

    async def payout(self, partner_id: str) -> PayoutAdapter:
        adapter = self._adapters.get(partner_id)
        if adapter is not None:
            return adapter
        async with reading(self._engine) as conn:
            row = (
                await conn.execute(sa.select(partners).where(partners.c.id == partner_id))
            ).first()
        if row is None or not row.base_url:
            raise LookupError(f"partner {partner_id} is not registered with a base URL")
        secret = row.secrets[0]["secret"].encode()
        corridor = self._corridors.get(partner_id)
        if corridor is not None and corridor.partner_protocol == "iso20022":
            adapter = Iso20022PayoutPartner(
                row.base_url,
                partner_id,
                secret,
                self._session,
                timeout_s=self._timeout_s,
                payout_method=corridor.payout_method,
            )
        elif corridor is not None and corridor.partner_protocol == "mojaloop":
            adapter = MojaloopPayoutPartner(
                row.base_url,
                partner_id,
                secret,
                self._session,
                timeout_s=self._timeout_s,
                hub=self.hub,
                callback_wait_s=self._timeout_s,
            )
        else:
            adapter = HttpPayoutPartner(
                row.base_url, partner_id, secret, self._session, timeout_s=self._timeout_s
            )
        self._adapters[partner_id] = adapter
        return adapter
