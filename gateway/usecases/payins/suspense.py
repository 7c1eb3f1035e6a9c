"""The operators' suspense list: pay-ins no reference matched, credited to a customer or
returned to the partner by hand."""

from __future__ import annotations

from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncConnection

from corridors.payin import (
    RETURN_CONFIRMED,
    PayinPartnerError,
    PayinReturn,
)
from fx.money import Money
from gateway.domain import payins as domain
from gateway.domain.payin_states import PayinStatus as P
from gateway.errors import Conflict, NotFound, field_error
from gateway.services import Services
from gateway.storage import customers as customer_store
from gateway.storage import payins as store
from gateway.usecases import operator_audit
from gateway.usecases.payins.partner_client import partner_client
from gateway.usecases.payins.views import payin_view
from gateway.usecases.requests.payins import (
    ResolvePayinRequest,
)
from ledger_adapter.sessions import reading

log = structlog.get_logger("gateway.payins")


async def unmatched(svc: Services, limit: int = 500) -> list[dict[str, Any]]:
    async with reading(svc.engine) as conn:
        rows = await store.in_suspense(conn, limit)
    return [payin_view(r) for r in rows]


RESOLUTION = {"credit": P.RESOLVED, "return": P.RETURNED}
#: The partner's return id for a pay-in: its idempotency key, the same on every retry.
RETURN_ID = "return:{}"


async def resolve(
    svc: Services, payin_id: str, req: ResolvePayinRequest, actor: str
) -> dict[str, Any]:
    """Claim the suspense row for the action first, then move the money: a repeat of the same
    action finishes a half-done one; a different action on a claimed row is refused. The
    claim is audited as `actor`'s, in the claim's transaction."""
    if req.action == "credit" and req.customer_id is None:
        raise field_error("customer_id", "required to credit a customer")
    if req.action == "return":
        return await _return(svc, payin_id, actor)
    target = RESOLUTION[req.action]
    customer_id = req.customer_id if req.action == "credit" else None
    async with svc.engine.begin() as conn:
        row = await store.get(conn, payin_id)
        if row is None:
            raise NotFound(f"pay-in {payin_id}")
        if customer_id is not None and await customer_store.customer(conn, customer_id) is None:
            raise field_error("customer_id", "unknown customer")
        if row.status == P.SUSPENSE:
            reason = f"{req.action} by operator (was: {row.reason})"
            await store.set_status(
                conn,
                payin_id,
                (P.SUSPENSE,),
                target,
                svc.now(),
                customer_id=customer_id,
                reason=reason,
            )
            await _audit_resolution(svc, conn, actor, payin_id, req.action, customer_id)
        elif row.status != target or row.customer_id != customer_id:
            raise Conflict("payin-not-in-suspense", "Not in suspense", f"pay-in is {row.status}")
    cur = row.currency
    if customer_id is not None:
        await svc.ledger.create_accounts(domain.accounts_for(row.partner_id, cur, customer_id))
        spec = domain.release(payin_id, row.amount_minor, cur, customer_id)
    else:
        spec = domain.give_back(payin_id, row.partner_id, row.amount_minor, cur, None)
    await svc.ledger.transfer([spec])
    log.info("payin_resolved", payin=payin_id, action=req.action)
    async with reading(svc.engine) as conn:
        return payin_view(await store.get(conn, payin_id))


async def _audit_resolution(
    svc: Services,
    conn: AsyncConnection,
    actor: str,
    payin_id: str,
    action: str,
    customer_id: str | None,
) -> None:
    after = {"action": action} | ({"customer_id": customer_id} if customer_id else {})
    await operator_audit.record(
        conn,
        key=svc.settings.audit_hmac_key,
        at=svc.now(),
        actor=actor,
        action="payin.resolve",
        object_id=payin_id,
        after=after,
    )


async def _return(svc: Services, payin_id: str, actor: str) -> dict[str, Any]:
    """suspense -> returning (claimed), ask the partner to return it, and only on its
    confirmation book the ledger and mark it returned. Until then it stays `returning`; a
    retry asks again with the same return id, so the partner returns it once."""
    async with svc.engine.begin() as conn:
        row = await store.get(conn, payin_id)
        if row is None:
            raise NotFound(f"pay-in {payin_id}")
        if row.status == P.RETURNED:
            return payin_view(row, duplicate=True)
        if row.status == P.SUSPENSE:
            reason = f"return by operator (was: {row.reason})"
            await store.set_status(
                conn, payin_id, (P.SUSPENSE,), P.RETURNING, svc.now(), reason=reason
            )
            await _audit_resolution(svc, conn, actor, payin_id, "return", None)
        elif row.status != P.RETURNING:
            raise Conflict("payin-not-in-suspense", "Not in suspense", f"pay-in is {row.status}")
    answer = await _partner_return(svc, row)
    if answer == RETURN_CONFIRMED:
        spec = domain.give_back(payin_id, row.partner_id, row.amount_minor, row.currency, None)
        await svc.ledger.transfer([spec])  # the same id on a retry: booked once
        async with svc.engine.begin() as conn:
            await store.set_status(conn, payin_id, (P.RETURNING,), P.RETURNED, svc.now())
        log.info("payin_returned", payin=payin_id)
    else:
        log.warning("payin_return_unconfirmed", payin=payin_id, answer=answer)
    async with reading(svc.engine) as conn:
        return payin_view(await store.get(conn, payin_id))


async def _partner_return(svc: Services, row: Any) -> str | None:
    """The partner's answer to the return request, or None when it could not be told."""
    ret = PayinReturn(
        RETURN_ID.format(row.id),
        row.partner_payin_id,
        str(Money.from_minor(row.amount_minor, row.currency)),
        row.currency,
        "unattributable pay-in returned by operator",
    )
    async with partner_client(svc, row.partner_id) as adapter:
        if adapter is None:
            return None
        try:
            return await adapter.return_payin(ret)
        except PayinPartnerError as exc:
            log.warning("payin_return_not_sent", payin=row.id, error=str(exc))
            return None
