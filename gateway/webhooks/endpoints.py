"""Sending apps register where their events go (one endpoint per app)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from gateway.domain.callers import Caller
from gateway.errors import NotFound, field_error
from gateway.services import Services
from gateway.storage.partners import new_secret
from gateway.storage.tables_partners import webhook_endpoints
from gateway.usecases.requests.partners import WebhookRequest
from ledger_adapter.sessions import reading


def _view(row: Any) -> dict[str, Any]:
    return {"url": row.url, "updated_at": row.updated_at.isoformat()}


async def put_endpoint(svc: Services, caller: Caller, req: WebhookRequest) -> dict[str, Any]:
    """Refused, with nothing written, when the URL may not be reached (corridors.outbound):
    not https, or an address inside our network, as written or as its name resolves now."""
    refusal = await svc.outbound.resolved_refusal(req.url)
    if refusal is not None:
        raise field_error("url", refusal)
    secret = req.secret or new_secret()
    now = svc.now()
    secrets = [{"secret": secret, "created_at": now.isoformat(), "expires_at": None}]
    async with svc.engine.begin() as conn:
        updated = await conn.execute(
            webhook_endpoints.update()
            .where(webhook_endpoints.c.owner == caller.name)
            .values(url=req.url, secrets=secrets, updated_at=now)
        )
        if updated.rowcount == 0:
            await conn.execute(
                webhook_endpoints.insert().values(
                    owner=caller.name, url=req.url, secrets=secrets, created_at=now, updated_at=now
                )
            )
    body = {"url": req.url, "updated_at": now.isoformat()}
    if req.secret is None:
        body["secret"] = secret  # shown once
    return body


async def get_endpoint(svc: Services, caller: Caller) -> dict[str, Any]:
    async with reading(svc.engine) as conn:
        row = (
            await conn.execute(
                sa.select(webhook_endpoints).where(webhook_endpoints.c.owner == caller.name)
            )
        ).first()
    if row is None:
        raise NotFound("webhook endpoint")
    return _view(row)
