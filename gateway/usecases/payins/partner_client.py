"""The pay-in partner as we call it (returns, refunds), signed with its newest live secret."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from corridors.payin import HttpPayinPartner
from gateway.services import Services
from gateway.storage.partners import get_partner
from ledger_adapter.sessions import reading


@asynccontextmanager
async def partner_client(svc: Services, partner_id: str) -> AsyncIterator[HttpPayinPartner | None]:
    """The partner's pay-in API, signed with its newest live secret; None when it has none to
    call (the caller then retries later)."""
    async with reading(svc.engine) as conn:
        partner = await get_partner(conn, partner_id, svc.now())
    if partner is None or not partner.base_url:
        yield None
        return
    secret = partner.secrets[0]
    async with svc.outbound.session() as session:
        yield HttpPayinPartner(
            partner.base_url,
            secret,
            session,
            svc.settings.partner_timeout_s,
            clock=lambda: svc.now().timestamp(),
        )
