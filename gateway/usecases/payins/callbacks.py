"""Partners' signed pay-in callbacks, matched by reference into a wallet, a remittance or
suspense.

Order of writes: the ledger transfer first (its id derives from the pay-in id, so a retry
repeats it harmlessly), then the row; a crash in between is healed by the partner's retry."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy.exc import IntegrityError

from corridors import signing
from corridors.payin import (
    METHODS,
    parse_reference,
)
from fx.money import Money
from gateway.domain import payins as domain
from gateway.domain.payin_states import PayinStatus as P
from gateway.domain.states import Status
from gateway.errors import BadSignature, Conflict, field_error
from gateway.services import Services
from gateway.storage import payins as store
from gateway.storage import remittances as rem_store
from gateway.storage.partners import get_partner
from gateway.usecases.payins.views import payin_view
from gateway.usecases.requests.payins import (
    PayinCallback,
)
from gateway.usecases.wallets import positive_amount
from ledger_adapter.port import IdempotencyConflict
from ledger_adapter.sessions import reading

log = structlog.get_logger("gateway.payins")


async def authenticate(
    svc: Services, partner_id: str, headers: Mapping[str, str], body: bytes
) -> None:
    """The callback route is public; the partner's HMAC signature is its credential."""
    now = svc.now()
    async with reading(svc.engine) as conn:
        partner = await get_partner(conn, partner_id, now)
    try:
        if partner is None or "payin" not in partner.kinds:
            raise signing.SignatureError("unknown_partner")
        signing.verify(partner.secrets, headers, body, now.timestamp())
    except signing.SignatureError as exc:
        log.warning("payin_callback_refused", partner_id=partner_id, reason=exc.reason)
        raise BadSignature(f"callback not accepted: {exc.reason}") from None


def _same_report(row: Any, req: PayinCallback, amount: Money) -> None:
    if (row.amount_minor, row.currency, row.reference) != (
        amount.to_minor(),
        amount.currency,
        req.reference,
    ):
        raise Conflict(
            "payin-conflict",
            "Pay-in reported differently",
            f"pay-in {req.payin_id} was reported before with another amount or reference",
        )


async def receive(svc: Services, partner_id: str, req: PayinCallback) -> tuple[int, dict]:
    """Record one partner event. Returns (HTTP status, pay-in view); repeats return the first
    outcome with duplicate=true and move no money."""
    method = METHODS[req.method]
    if req.event not in method.credits_on | method.holds_on:
        allowed = ", ".join(sorted(method.credits_on | method.holds_on))
        raise field_error("event", f"{req.method} reports {allowed}")
    amount = positive_amount(req.amount, req.currency)
    payin_id = f"{partner_id}:{req.payin_id}"
    now = svc.now()
    async with reading(svc.engine) as conn:
        existing = await store.get(conn, payin_id)
        reference = parse_reference(req.reference)
        ref = await store.find_reference(conn, reference) if reference else None
        rem = await rem_store.get(conn, ref.remittance_id) if ref and ref.remittance_id else None
    crediting = req.event in method.credits_on
    if existing is not None and (existing.status != P.AUTHORIZED or not crediting):
        # A repeat, or an authorisation arriving after its capture: nothing more to do.
        if existing.event == req.event:
            _same_report(existing, req, amount)
        return 200, payin_view(existing, duplicate=True)
    m = domain.match(ref, amount.currency, rem.status if rem else None)
    row_values = {
        "id": payin_id,
        "partner_id": partner_id,
        "partner_payin_id": req.payin_id,
        "method": req.method,
        "event": req.event,
        "reference": req.reference,
        "amount_minor": amount.to_minor(),
        "currency": amount.currency,
        "status": m.status if crediting else P.AUTHORIZED,
        "reason": m.reason,
        "customer_id": m.customer_id,
        "remittance_id": m.remittance_id,
        "received_at": now,
        "updated_at": now,
    }
    if crediting:
        await svc.ledger.create_accounts(
            domain.accounts_for(partner_id, amount.currency, m.customer_id)
        )
        spec = domain.credit(payin_id, partner_id, amount.to_minor(), amount.currency, m)
        try:
            await svc.ledger.transfer([spec])
        except IdempotencyConflict:
            raise Conflict(
                "payin-conflict",
                "Pay-in reported differently",
                f"pay-in {req.payin_id} was credited before with another amount or target",
            ) from None
    try:
        async with svc.engine.begin() as conn:
            if existing is None:
                await store.insert(conn, row_values)
            else:  # the capture of an authorised card payment
                moved = await store.set_status(
                    conn,
                    payin_id,
                    (P.AUTHORIZED,),
                    row_values["status"],
                    now,
                    **{
                        k: row_values[k] for k in ("event", "amount_minor", "reason", "customer_id")
                    },
                    remittance_id=m.remittance_id,
                )
                if not moved:
                    raise IntegrityError("payin moved on", None, Exception())
            if crediting:
                await _tell_remittance(conn, rem, m, amount, now)
    except IntegrityError:  # a concurrent duplicate committed first
        async with reading(svc.engine) as conn:
            return 200, payin_view(await store.get(conn, payin_id), duplicate=True)
    if crediting and rem is not None:
        svc.wake_workers()
    log.info(
        "payin_recorded",
        payin=payin_id,
        payin_event=req.event,
        status=row_values["status"],
        amount_minor=amount.to_minor(),
        currency=amount.currency,
        remittance_id=m.remittance_id,
    )
    async with reading(svc.engine) as conn:
        return 201, payin_view(await store.get(conn, payin_id))


async def _tell_remittance(conn, rem: Any, m: domain.Match, amount: Money, now: datetime) -> None:
    """Wake an awaiting remittance now; a late pay-in leaves a note in its event log."""
    if rem is None or m.customer_id is None:
        return
    if m.late:
        reason = f"late pay-in of {amount} {amount.currency} credited to the sender's wallet"
        await rem_store.add_history(conn, rem.id, rem.status, rem.status, now, reason)
        return
    await rem_store.due_now(conn, rem.id, Status.AWAITING_FUNDS, now)
