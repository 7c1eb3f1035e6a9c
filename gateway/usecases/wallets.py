"""Sender wallets: stored value held as liability accounts in the ledger, never a number in a
customer row."""

from __future__ import annotations

from typing import Any

from fx.money import AmountError, CurrencyError, Money, is_currency
from gateway.domain.callers import Caller
from gateway.errors import NotFound, field_error, key_reused
from gateway.services import Services
from gateway.usecases import operator_audit
from gateway.usecases.ownership import owned_customer
from gateway.usecases.requests.remittances import TopUpRequest
from gateway.usecases.schemas import STR
from ledger_adapter import chart
from ledger_adapter.port import IdempotencyConflict
from ledger_adapter.sessions import reading

WALLET_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "customer_id": STR,
        "balances": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"currency": STR, "available": STR, "posted": STR},
            },
        },
    },
}


async def wallet(svc: Services, caller: Caller, customer_id: str) -> dict[str, Any]:
    """A sender's balances; the body's schema is `WALLET_SCHEMA`, just above."""
    async with reading(svc.engine) as conn:
        row = await owned_customer(conn, caller, customer_id)
    if row is None:
        raise NotFound(f"customer {customer_id}")
    prefix = chart.wallet(customer_id, "")
    balances = await svc.ledger.balances(prefix)
    return {
        "customer_id": customer_id,
        "balances": [
            {
                "currency": asset,
                "available": str(Money.from_minor(bal.available, asset)),
                "posted": str(Money.from_minor(bal.credit_balance, asset)),
            }
            for _account, (asset, bal) in sorted(balances.items())
        ],
    }


def positive_amount(value: str, currency: str) -> Money:
    """Money received from outside: an ISO 4217 currency, at most its decimals, above zero."""
    if not is_currency(currency):
        raise field_error("currency", f"{currency} is not an ISO 4217 currency")
    try:
        amount = Money.parse(value, currency, field="amount")
    except (AmountError, CurrencyError) as exc:
        raise field_error("amount", str(exc)) from None
    if not amount.is_positive():
        raise field_error("amount", "must be greater than zero")
    return amount


async def top_up(
    svc: Services, caller: Caller, customer_id: str, req: TopUpRequest, transfer_id: str
) -> dict[str, Any]:
    """An operator records cash received for a sender (pay-in partners come with funding)."""
    amount = positive_amount(req.amount, req.currency)
    async with reading(svc.engine) as conn:
        row = await owned_customer(conn, caller, customer_id)
    if row is None:
        raise NotFound(f"customer {customer_id}")
    await svc.ledger.create_accounts(chart.topup_accounts(customer_id, req.currency))
    replayed = await svc.ledger.get_transfer(transfer_id) is not None
    topup = chart.top_up(transfer_id, customer_id, req.currency, amount.to_minor())
    try:
        await svc.ledger.transfer([topup])
    except IdempotencyConflict:  # the transfer id is the caller's Idempotency-Key
        raise key_reused("this Idempotency-Key was used with another request") from None
    if not replayed:
        async with svc.engine.begin() as conn:
            await operator_audit.record(
                conn,
                key=svc.settings.audit_hmac_key,
                at=svc.now(),
                actor=operator_audit.key_actor(caller.key_id),
                action="wallet.topup",
                object_id=transfer_id,
                after={"customer_id": customer_id, "currency": req.currency},
            )
    return await wallet(svc, caller, customer_id)
