"""Pay-ins: partners' signed callbacks matched by reference into wallets or suspense, payment
references, the operators' suspense list, and refunds to the original source.

Order of writes in every money path: the ledger transfer first (its id derives from the pay-in
id, so a retry repeats it harmlessly), then the row; a crash in between is healed by the
partner's retry (or the operator's) doing both again."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
import structlog
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection
from stdnum import iso11649

from corridors import signing
from corridors.payin import (
    METHODS,
    RETURN_CONFIRMED,
    HttpPayinPartner,
    PayinPartnerError,
    PayinRefund,
    PayinReturn,
    parse_reference,
)
from fx.money import Money
from gateway.domain import payins as domain
from gateway.domain.payin_states import CUSTOMER_MONEY
from gateway.domain.payin_states import PayinStatus as P
from gateway.domain.reconciliation import Reconciliation, Record, read_statement
from gateway.domain.reconciliation import reconcile as match_statement
from gateway.domain.states import Status
from gateway.errors import BadSignature, Conflict, NotFound, field_error
from gateway.services import Services
from gateway.storage import payins as store
from gateway.storage import remittances as rem_store
from gateway.storage.keys import Caller
from gateway.storage.tables import customers, partners, remittances
from gateway.storage.tables_funding import payins
from gateway.usecases import operator_audit
from gateway.usecases.ownership import own_remittance, owned_customer
from gateway.usecases.reconcile import in_window
from gateway.usecases.requests.payins import (
    PayinCallback,
    PayinReferenceRequest,
    ResolvePayinRequest,
)
from gateway.usecases.wallets import positive_amount
from ledger_adapter.port import IdempotencyConflict, InsufficientFunds
from ledger_adapter.sessions import reading

log = structlog.get_logger("gateway.payins")

# Remittances whose money may go back to its source at the sender's request.
REFUNDABLE_STATES = frozenset({Status.EXPIRED, Status.REFUNDED, Status.CANCELLED, Status.REJECTED})


def payin_view(row: Any, duplicate: bool = False) -> dict[str, Any]:
    return {
        "id": row.id,
        "payin_id": row.partner_payin_id,
        "partner_id": row.partner_id,
        "method": row.method,
        "event": row.event,
        "status": row.status,
        "reason": row.reason,
        "amount": str(Money.from_minor(row.amount_minor, row.currency)),
        "currency": row.currency,
        "remittance_id": row.remittance_id,
        "received_at": row.received_at.isoformat(),
        "duplicate": duplicate,
    }


# --- partners' callbacks -----------------------------------------------------------------------


def _live_secrets(row: Any, now: datetime) -> list[bytes]:
    """Every secret not past its rotation expiry: both are accepted during an overlap."""
    return [
        s["secret"].encode()
        for s in row.secrets
        if not s.get("expires_at") or datetime.fromisoformat(s["expires_at"]) > now
    ]


async def authenticate(
    svc: Services, partner_id: str, headers: Mapping[str, str], body: bytes
) -> None:
    """The callback route is public; the partner's HMAC signature is its credential."""
    async with reading(svc.engine) as conn:
        row = (await conn.execute(sa.select(partners).where(partners.c.id == partner_id))).first()
    now = svc.now()
    try:
        if row is None or "payin" not in row.kinds.split(","):
            raise signing.SignatureError("unknown_partner")
        signing.verify(_live_secrets(row, now), headers, body, now.timestamp())
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
                await conn.execute(payins.insert().values(**row_values))
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
    await conn.execute(
        remittances.update()
        .where(remittances.c.id == rem.id, remittances.c.status == Status.AWAITING_FUNDS.value)
        .values(next_attempt_at=now)
    )


# --- references and instructions ---------------------------------------------------------------


async def topup_reference(
    svc: Services, caller: Caller, customer_id: str, req: PayinReferenceRequest
) -> dict[str, Any]:
    positive_amount("1", req.currency)  # the currency must be a real one
    async with svc.engine.begin() as conn:
        if await owned_customer(conn, caller, customer_id) is None:
            raise NotFound(f"customer {customer_id}")
        reference = await store.issue_reference(
            conn, customer_id=customer_id, currency=req.currency, method=req.method, now=svc.now()
        )
    return _reference_view(reference, req.method, req.currency) | {"customer_id": customer_id}


def _reference_view(reference: str, method: str, currency: str) -> dict[str, Any]:
    return {
        "reference": reference,
        "reference_display": iso11649.format(reference),
        "method": method,
        "currency": currency,
    }


async def instructions(svc: Services, caller: Caller, remittance_id: str) -> dict[str, Any]:
    """What the sender pays, to which reference, by when, and what has arrived."""
    async with reading(svc.engine) as conn:
        rem = await own_remittance(conn, caller, remittance_id)
        ref = await store.reference_of(conn, remittance_id)
        rows = await store.of_remittance(conn, remittance_id)
        received = await store.credited_minor(conn, remittance_id)
    if ref is None:
        raise NotFound(f"payment reference for remittance {remittance_id} (not issued yet)")
    cur = rem.send_currency
    return {
        "remittance_id": rem.id,
        "status": rem.status,
        **_reference_view(ref.reference, ref.method, cur),
        "amount": str(Money.from_minor(rem.send_amount_minor, cur)),
        "received": str(Money.from_minor(received, cur)),
        "deadline": rem.funding_deadline.isoformat() if rem.funding_deadline else None,
        # The account a bank transfer goes to (the corridor's pay-in collection account).
        "pay_to": _pay_to(svc, rem.corridor_id, ref.method),
        "payins": [payin_view(r) for r in rows],
    }


def _pay_to(svc: Services, corridor_id: str, method: str) -> dict[str, str] | None:
    corridor = svc.corridors.get(corridor_id)
    return corridor.collection() if corridor is not None and method == "bank_transfer" else None


# --- suspense ----------------------------------------------------------------------------------


async def unmatched(svc: Services, limit: int = 500) -> list[dict[str, Any]]:
    async with reading(svc.engine) as conn:
        rows = await conn.execute(
            sa.select(payins)
            .where(payins.c.status == P.SUSPENSE)
            .order_by(payins.c.received_at, payins.c.id)
            .limit(limit)
        )
        return [payin_view(r) for r in rows.all()]


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
        if customer_id is not None:
            found = await conn.scalar(
                sa.select(customers.c.id).where(customers.c.id == customer_id)
            )
            if found is None:
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
    async with reading(svc.engine) as conn:
        partner = (
            await conn.execute(sa.select(partners).where(partners.c.id == row.partner_id))
        ).first()
    if partner is None or not partner.base_url:
        return None
    ret = PayinReturn(
        RETURN_ID.format(row.id),
        row.partner_payin_id,
        str(Money.from_minor(row.amount_minor, row.currency)),
        row.currency,
        "unattributable pay-in returned by operator",
    )
    async with svc.outbound.session() as session:
        adapter = HttpPayinPartner(
            partner.base_url,
            _live_secrets(partner, svc.now())[0],
            session,
            svc.settings.partner_timeout_s,
            clock=lambda: svc.now().timestamp(),
        )
        try:
            return await adapter.return_payin(ret)
        except PayinPartnerError as exc:
            log.warning("payin_return_not_sent", payin=row.id, error=str(exc))
            return None


# --- refunds to the original source ------------------------------------------------------------


async def _partner_refund(svc: Services, row: Any) -> bool:
    """Ask the partner to send the money back; False when it could not be told (retry later)."""
    async with reading(svc.engine) as conn:
        partner = (
            await conn.execute(sa.select(partners).where(partners.c.id == row.partner_id))
        ).first()
    if partner is None or not partner.base_url:
        return False
    secret = _live_secrets(partner, svc.now())[0]
    refund = PayinRefund(
        f"refund:{row.id}",
        row.partner_payin_id,
        str(Money.from_minor(row.amount_minor, row.currency)),
        row.currency,
    )
    async with svc.outbound.session() as session:
        adapter = HttpPayinPartner(
            partner.base_url,
            secret,
            session,
            svc.settings.partner_timeout_s,
            clock=lambda: svc.now().timestamp(),
        )
        try:
            await adapter.refund(refund)
        except PayinPartnerError as exc:
            log.warning("payin_refund_not_sent", payin=row.id, error=str(exc))
            return False
    return True


async def refund_to_source(svc: Services, caller: Caller, remittance_id: str) -> dict[str, Any]:
    """The sender asks for the money of a remittance that did not pay out back where it came
    from (a card or a bank account), instead of keeping it in the wallet."""
    async with reading(svc.engine) as conn:
        rem = await own_remittance(conn, caller, remittance_id)
        rows = await store.of_remittance(conn, remittance_id)
    if Status(rem.status) not in REFUNDABLE_STATES:
        raise Conflict(
            "not-refundable",
            "Not refundable now",
            f"remittance is {rem.status}; refunds to source follow "
            + ", ".join(sorted(s.value for s in REFUNDABLE_STATES)),
        )
    todo = [r for r in rows if r.status in CUSTOMER_MONEY]
    returnable = [r for r in todo if METHODS[r.method].refund_to_source]
    if not returnable:
        methods = ", ".join(sorted({r.method for r in todo})) or "no pay-in"
        raise Conflict(
            "nothing-to-refund-to-source",
            "Nothing to refund to source",
            f"{methods}: the money stays in the wallet",
        )
    results = []
    for row in returnable:
        results.append(await _refund_one(svc, row))
    return {"remittance_id": remittance_id, "payins": results}


async def _refund_one(svc: Services, row: Any) -> dict[str, Any]:
    """Claim (credited -> refund_pending), move the money back to the partner's account, tell
    the partner, then refunded. A repeat resumes where the last attempt stopped."""
    if row.status == P.REFUNDED:
        return payin_view(row, duplicate=True)
    now = svc.now()
    async with svc.engine.begin() as conn:
        await store.set_status(conn, row.id, (P.CREDITED, P.RESOLVED), P.REFUND_PENDING, now)
    spec = domain.give_back(row.id, row.partner_id, row.amount_minor, row.currency, row.customer_id)
    try:
        await svc.ledger.transfer([spec])
    except InsufficientFunds:
        async with svc.engine.begin() as conn:
            await store.set_status(conn, row.id, (P.REFUND_PENDING,), row.status, now)
        raise Conflict(
            "insufficient-wallet-balance",
            "Wallet balance too low",
            "the wallet no longer holds this pay-in's amount",
        ) from None
    if await _partner_refund(svc, row):
        async with svc.engine.begin() as conn:
            await store.set_status(conn, row.id, (P.REFUND_PENDING,), P.REFUNDED, svc.now())
    async with reading(svc.engine) as conn:
        return payin_view(await store.get(conn, row.id))


# --- daily statements --------------------------------------------------------------------------


async def expected_payins(
    svc: Services, partner_id: str, since: datetime | None = None, until: datetime | None = None
) -> list[Record]:
    """Every pay-in of the partner that moved money (credited or parked; an authorisation never
    captured moved none), by when it was received."""
    query = sa.select(payins).where(
        payins.c.partner_id == partner_id, payins.c.status != P.AUTHORIZED
    )
    query = in_window(query, payins.c.received_at, since, until)
    async with reading(svc.engine) as conn:
        rows = (await conn.execute(query)).all()
    return [
        Record(
            r.partner_payin_id,
            Money.from_minor(r.amount_minor, r.currency).amount,
            r.currency,
            {"reference": r.reference},
        )
        for r in rows
    ]


async def reconcile_payins(
    svc: Services,
    partner_id: str,
    statement_csv: str,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Reconciliation:
    """The payout side's pure matcher, keyed by the partner's pay-in id."""
    statement = read_statement(
        statement_csv, key=("payin_id", "id"), keep={"reference": ("reference",)}, only_status=None
    )
    return match_statement(statement, await expected_payins(svc, partner_id, since, until))
