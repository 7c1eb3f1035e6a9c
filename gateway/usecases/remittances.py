"""Creating and reading remittances. Creation checks everything it can before writing, then
writes the remittance, its first history row, the quote lock and the idempotency record in one
transaction; the pipeline does the rest."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from compliance.kyc import check_limits
from corridors.recipients import RecipientInvalid, validate_recipient
from fx.money import Money
from fx.rates import RateUnavailable
from gateway.domain.callers import Caller
from gateway.domain.recipient_keys import recipient_key
from gateway.domain.states import (
    CANCELLABLE,
    CANCELLABLE_AFTER_PAYMENT,
    MOVING_ON,
    TERMINAL,
    Status,
)
from gateway.errors import Conflict, Invalid, UseCaseError, validation
from gateway.ids import new_id
from gateway.services import Services
from gateway.storage import idempotency
from gateway.storage import quotes as quote_store
from gateway.storage import remittances as store
from gateway.storage.sealed import keyring_of, row_value
from gateway.usecases import cancellation, travel_rule
from gateway.usecases.ownership import own_remittance
from gateway.usecases.quotes import quote_expired
from gateway.usecases.requests.remittances import RemittanceRequest
from gateway.usecases.schemas import NULL_STR, STR, strings
from ledger_adapter import chart
from ledger_adapter.evm.items import item as chain_item
from ledger_adapter.evm.items import settlement_view
from ledger_adapter.port import AccountNotFound
from ledger_adapter.sessions import reading

# Remittances that no longer count against a sender's limits.
NOT_COUNTED = (Status.REJECTED, Status.CANCELLED, Status.EXPIRED, Status.REFUNDED)


#: The JSON Schema of `remittance_view`'s body (and of `get_remittance`'s, which adds
#: `chain_settlement`), declared beside the function that builds it so that /openapi.json
#: documents what the API returns; tests/integration/test_api_response_schemas_*.py check it.
REMITTANCE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        **strings(
            "id",
            "status",
            "quote_id",
            "sender_id",
            "corridor_id",
            "send_amount",
            "send_currency",
            "fee",
            "receive_amount",
            "receive_currency",
            "settlement_asset",
            "created_at",
            "updated_at",
        ),
        "funding_method": STR,
        "recipient": {"type": "object", "properties": {"name": NULL_STR}},
        "partner_reference": NULL_STR,
        "failure_reason": NULL_STR,
        "funding_deadline": NULL_STR,
        "history": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"from": NULL_STR, "to": STR, "at": STR, "reason": STR},
            },
        },
        "chain_settlement": {
            "type": ["object", "null"],
            "description": "the on-chain settlement once settled, null before (not on creation)",
            "properties": {
                "coin": STR,
                "amount": STR,
                "to": STR,
                "tx_hash": STR,
                "log_index": {"type": "integer"},
            },
        },
    },
}


def remittance_view(row: Any, history: list[Any] | None = None) -> dict[str, Any]:
    """The API's body of a remittance; its schema is `REMITTANCE_SCHEMA`, just above."""
    send = Money.from_minor(row.send_amount_minor, row.send_currency)
    fee = Money.from_minor(row.fee_minor, row.send_currency)
    body: dict[str, Any] = {
        "id": row.id,
        "status": row.status,
        "quote_id": row.quote_id,
        "sender_id": row.sender_id,
        "corridor_id": row.corridor_id,
        "funding_method": row.funding_method,
        "send_amount": str(send),
        "send_currency": row.send_currency,
        "fee": str(fee),
        "receive_amount": str(Money.from_minor(row.receive_amount_minor, row.receive_currency)),
        "receive_currency": row.receive_currency,
        "settlement_asset": row.settlement_asset,
        "recipient": {"name": row.recipient.get("name")},
        "partner_reference": row.partner_reference,
        "failure_reason": row.failure_reason,
        "funding_deadline": row.funding_deadline.isoformat() if row.funding_deadline else None,
        "created_at": row.created_at.isoformat(),
        "updated_at": row.updated_at.isoformat(),
    }
    if history is not None:
        body["history"] = [
            {"from": h.from_status, "to": h.to_status, "at": h.at.isoformat(), "reason": h.reason}
            for h in history
        ]
    return body


async def _usd_value(svc: Services, amount: Money) -> Decimal:
    if amount.currency == "USD":
        return amount.amount
    try:
        rate = await svc.rates.rate(amount.currency, "USD")
    except RateUnavailable as exc:
        raise Invalid("rate-unavailable", "No usable exchange rate", str(exc)) from None
    return amount.amount * rate.value


async def _enforce_limits(
    svc: Services, conn: AsyncConnection, sender: Any, quote: Any, usd_per_unit: Decimal
) -> None:
    """Under the sender's row lock, so concurrent submissions by one sender are serialised and
    never exceed a limit together."""
    await store.lock_sender(conn, sender.id)
    now = svc.now()
    cur = quote.send_currency

    def usd(minor: int) -> Decimal:
        return Money.from_minor(minor, cur).amount * usd_per_unit

    tier = svc.tiers[sender.tier].for_corridor(quote.corridor_id)
    day, month = await store.sent_since(
        conn, sender.id, now - timedelta(hours=24), now - timedelta(days=30), NOT_COUNTED
    )
    breaches = check_limits(tier, usd(quote.send_amount_minor), usd(day), usd(month))
    if breaches:
        raise Invalid(
            "limit-exceeded",
            "Sending limit exceeded",
            "; ".join(b.reason for b in breaches),
            errors=[{"field": "quote_id", "message": b.reason} for b in breaches],
            extra={"limits": [b.to_dict() for b in breaches], "tier": tier.name},
        )


async def _load_for_create(svc: Services, caller: Caller, req: RemittanceRequest):
    async with reading(svc.engine) as conn:
        quote, sender = await store.quote_and_sender(conn, req.quote_id, req.sender_id, caller.name)
    errors = []
    if quote is None:
        errors.append({"field": "quote_id", "message": "unknown quote"})
    if sender is None:
        errors.append({"field": "sender_id", "message": "unknown sender"})
    elif sender.status != "accepted":
        errors.append({"field": "sender_id", "message": f"sender KYC status is {sender.status}"})
    if errors:
        raise validation(errors)
    if quote.expires_at <= svc.now():
        raise quote_expired(quote, "request a new one")
    if quote.remittance_id is not None or quote.requote_for is not None:
        # A quote offered to a remittance in requote is that remittance's to accept.
        raise Conflict("quote-used", "Quote already used", f"quote {quote.id} is locked")
    corridor = svc.corridors[quote.corridor_id]
    if not corridor.sends_from(sender.country):
        raise Invalid(
            "corridor-not-eligible",
            "Sender cannot use this corridor",
            f"corridor {corridor.id} sends from {corridor.send_country} in "
            f"{corridor.send_currency}; sender {sender.id} lives in {sender.country}",
            errors=[{"field": "sender_id", "message": "sender's country is not the corridor's"}],
        )
    try:
        recipient = validate_recipient(corridor, req.recipient.model_dump())
    except RecipientInvalid as exc:
        raise validation(exc.errors) from None
    return quote, sender, corridor, recipient


async def _ensure_wallet(svc: Services, customer_id: str, currency: str) -> None:
    """Create the sender's wallet account once. Ledger accounts are never deleted, so a wallet
    this process has seen needs no further read."""
    wallet = chart.wallet(customer_id, currency)
    if wallet in svc.known_wallets:
        return
    try:
        await svc.ledger.balance(wallet)
    except AccountNotFound:
        await svc.ledger.create_accounts([chart.wallet_account(customer_id, currency)])
    svc.known_wallets.add(wallet)


async def create_remittance(svc: Services, caller: Caller, req: RemittanceRequest) -> Any:
    """Validate everything, then return an action that writes inside the idempotent transaction."""
    quote, sender, corridor, recipient = await _load_for_create(svc, caller, req)
    usd_per_unit = await _usd_value(svc, Money.parse("1", quote.send_currency))
    send = Money.from_minor(quote.send_amount_minor, quote.send_currency)
    travel, gaps = await travel_rule.assess(svc, corridor, send, sender, recipient, usd_per_unit)
    if gaps:
        travel = None  # accepted; the pipeline holds it in needs_info and asks for the gaps
    await _ensure_wallet(svc, sender.id, quote.send_currency)
    remittance_id = new_id("rem")

    async def write(conn: AsyncConnection) -> tuple[int, dict[str, Any]]:
        await _enforce_limits(svc, conn, sender, quote, usd_per_unit)
        now = svc.now()
        if not await quote_store.take(conn, quote.id, remittance_id):
            raise Conflict("quote-used", "Quote already used", f"quote {quote.id} is locked")
        values = {
            "id": remittance_id,
            "owner": caller.name,
            "status": Status.CREATED.value,
            "quote_id": quote.id,
            "sender_id": sender.id,
            "corridor_id": corridor.id,
            "partner_id": corridor.partner_id,
            "recipient": row_value(remittance_id, recipient),
            "recipient_key": recipient_key(corridor.id, recipient, keyring_of(conn).index),
            "funding_method": req.funding_method,
            "send_currency": quote.send_currency,
            "receive_currency": quote.receive_currency,
            "send_amount_minor": quote.send_amount_minor,
            "fee_minor": quote.fee_minor,
            "receive_amount_minor": quote.receive_amount_minor,
            "settlement_asset": corridor.settlement_asset,
            "created_at": now,
            "updated_at": now,
            "next_attempt_at": now,
            "attempts": 0,
        }
        row = await store.create(conn, values, "created")
        if travel is not None:
            await travel_rule.bind(conn, remittance_id, travel, now)
        first = SimpleNamespace(from_status=None, to_status=row.status, at=now, reason="created")
        return 201, remittance_view(row, [first])

    return write


async def submit_remittance(
    svc: Services, caller: Caller, req: RemittanceRequest, *, key: str, raw: Any, path: str
) -> tuple[int, dict[str, Any], bool]:
    """Create once per idempotency key: a replay (even one racing the first request) returns
    the first answer; the same key with another body raises IdempotencyMismatch."""
    try:
        write = await create_remittance(svc, caller, req)
        return await idempotency.run_once(
            svc.engine,
            api_key_id=caller.key_id,
            key=key,
            method="POST",
            path=path,
            body=raw,
            now=svc.now(),
            action=write,
        )
    except UseCaseError:
        # A replay fails validation (the first request locked its quote), and so does a
        # duplicate racing the first one (it waits for the sender's lock, then finds the quote
        # taken): both get the stored answer. A fresh request costs no lookup.
        stored = await idempotency.stored_answer(svc.engine, caller.key_id, key, "POST", path, raw)
        if stored is None:
            raise
        return stored


async def get_remittance(svc: Services, caller: Caller, remittance_id: str) -> dict[str, Any]:
    async with reading(svc.engine) as conn:
        row = await own_remittance(conn, caller, remittance_id)
        history = await store.history(conn, remittance_id)
        chain = settlement_view(await chain_item(conn, remittance_id))
    body = remittance_view(row, list(history))
    body["chain_settlement"] = chain
    return body


async def cancel_remittance(svc: Services, caller: Caller, remittance_id: str) -> dict[str, Any]:
    async with svc.engine.begin() as conn:
        row = await own_remittance(conn, caller, remittance_id)
        status = Status(row.status)
        if status in CANCELLABLE:
            target, reason = Status.CANCELLED, "cancelled by sender"
        elif status in MOVING_ON:
            raise _state_changed()
        elif status in CANCELLABLE_AFTER_PAYMENT:
            await cancellation.check_window(svc, conn, row)
            target, reason = Status.CANCELLING, cancellation.requested_reason(svc, row)
        else:
            state = "final" if status in TERMINAL else "past the point of cancelling"
            raise Conflict(
                "not-cancellable",
                "Cannot cancel",
                f"remittance is {row.status} ({state}); cancelling is possible while "
                + ", ".join(sorted(s.value for s in CANCELLABLE))
                + ", and within the cancellation window after payment while "
                + ", ".join(sorted(s.value for s in CANCELLABLE_AFTER_PAYMENT)),
            )
        try:
            await store.transition(
                conn, row.id, row.status, target, now=svc.now(), reason=reason, unleased=True
            )
        except store.StaleState:
            raise _state_changed() from None
    if target == Status.CANCELLING:
        svc.wake_workers()
    return await get_remittance(svc, caller, remittance_id)


def _state_changed() -> Conflict:
    return Conflict("state-changed", "State changed", "a step is in progress; retry shortly")
