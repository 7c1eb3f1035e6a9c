"""Payment references (ISO 11649) for top-ups and remittances, and the instructions a sender
pays by."""

from __future__ import annotations

from typing import Any

from stdnum import iso11649

from fx.money import Money
from gateway.domain.callers import Caller
from gateway.errors import NotFound
from gateway.services import Services
from gateway.storage import payins as store
from gateway.usecases.ownership import own_remittance, owned_customer
from gateway.usecases.payins.views import PAYIN_SCHEMA, payin_view
from gateway.usecases.requests.payins import (
    PayinReferenceRequest,
)
from gateway.usecases.schemas import NULL_STR, STR, strings
from gateway.usecases.wallets import positive_amount
from ledger_adapter.sessions import reading


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


REFERENCE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        k: STR for k in ("reference", "reference_display", "method", "currency", "customer_id")
    },
}


def _reference_view(reference: str, method: str, currency: str) -> dict[str, Any]:
    return {
        "reference": reference,
        "reference_display": iso11649.format(reference),
        "method": method,
        "currency": currency,
    }


INSTRUCTIONS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        **strings(
            "remittance_id",
            "status",
            "reference",
            "reference_display",
            "method",
            "currency",
            "amount",
            "received",
        ),
        "deadline": NULL_STR,
        "pay_to": {
            "type": ["object", "null"],
            "description": "bank transfer: the pay-in partner's collection account",
            "properties": {
                k: STR
                for k in ("bank_name", "beneficiary", "iban", "account_number", "routing_number")
            },
        },
        "payins": {"type": "array", "items": PAYIN_SCHEMA},
    },
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
