"""The pay-in partner as we call it (returns, refunds) and the secrets it signs with."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from corridors.payin import HttpPayinPartner
from gateway.services import Services
from gateway.storage.tables import partners
from ledger_adapter.sessions import reading


def live_secrets(row: Any, now: datetime) -> list[bytes]:
    """Every secret not past its rotation expiry: both are accepted during an overlap."""
    return [
        s["secret"].encode()
        for s in row.secrets
        if not s.get("expires_at") or datetime.fromisoformat(s["expires_at"]) > now
    ]


@asynccontextmanager
async def partner_client(svc: Services, partner_id: str) -> AsyncIterator[HttpPayinPartner | None]:
    """The partner's pay-in API, signed with its newest live secret; None when it has none to
    call (the caller then retries later)."""
    async with reading(svc.engine) as conn:
        partner = (
            await conn.execute(sa.select(partners).where(partners.c.id == partner_id))
        ).first()
    if partner is None or not partner.base_url:
        yield None
        return
    secret = live_secrets(partner, svc.now())[0]
    async with svc.outbound.session() as session:
        yield HttpPayinPartner(
            partner.base_url,
            secret,
            session,
            svc.settings.partner_timeout_s,
            clock=lambda: svc.now().timestamp(),
        )
