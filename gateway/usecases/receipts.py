"""Receipts: what a sender who has paid is owed in writing (12 CFR 1005.31(b)(2) and the like)."""

from __future__ import annotations

from typing import Any

from compliance.protections.receipt import Receipt, make_receipt
from fx.money import Money
from gateway.domain.callers import Caller
from gateway.errors import Conflict
from gateway.services import Services
from gateway.storage import quotes as quote_store
from gateway.storage import remittances as store
from gateway.usecases.ownership import own_remittance
from gateway.usecases.quotes import DISCLOSURE_SCHEMA, quote_disclosure
from gateway.usecases.rates import sample_fields
from gateway.usecases.schemas import STR
from ledger_adapter.sessions import reading

PAID = "funded"


async def receipt(svc: Services, caller: Caller, remittance_id: str) -> Receipt:
    """The receipt of a remittance the sender has paid for; before payment there is none."""
    async with reading(svc.engine) as conn:
        row = await own_remittance(conn, caller, remittance_id)
        history = await store.history(conn, remittance_id)
        rate = (await quote_store.get(conn, row.quote_id)).rate
    paid_at = next((h.at for h in history if h.to_status == PAID), None)
    if paid_at is None:
        raise Conflict(
            "not-paid",
            "Not paid yet",
            f"remittance {remittance_id} is {row.status}: a receipt is issued once it is paid",
        )
    corridor = svc.corridors.get(row.corridor_id)
    disclosure = quote_disclosure(
        svc,
        row.corridor_id,
        Money.from_minor(row.send_amount_minor, row.send_currency),
        Money.from_minor(row.fee_minor, row.send_currency),
        Money.from_minor(row.receive_amount_minor, row.receive_currency),
        rate,
    )
    return make_receipt(
        row.id,
        disclosure,
        paid_at=paid_at,
        available_days=corridor.funds_available_days if corridor else 1,
        recipient=row.recipient,
    )


_TEXT_BY_LANGUAGE = DISCLOSURE_SCHEMA["properties"]["statement"]
_CONTACT = DISCLOSURE_SCHEMA["properties"]["provider"]
_RIGHT = {"type": "object", "properties": {"rule": STR, "text": _TEXT_BY_LANGUAGE}}
RECEIPT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Receipt once paid: the disclosure, availability, recipient, rights, contacts",
    "properties": {
        "remittance_id": STR,
        "paid_at": STR,
        "funds_available_on": {"type": "string", "format": "date"},
        "disclosure": DISCLOSURE_SCHEMA,
        "recipient": {"type": "object", "additionalProperties": STR},
        "rights": {
            "type": "object",
            "properties": {
                "cancellation": {
                    **_RIGHT,
                    "properties": {
                        **_RIGHT["properties"],
                        "window_minutes": {"type": "integer"},
                        "cancel_by": STR,
                        "refund_business_days": {"type": "integer"},
                    },
                },
                "error_resolution": {
                    **_RIGHT,
                    "properties": {
                        **_RIGHT["properties"],
                        "report_within_days": {"type": "integer"},
                        "report_by": {"type": "string", "format": "date"},
                    },
                },
            },
        },
        "provider": _CONTACT,
        "regulators": {"type": "array", "items": _CONTACT},
        "sample_rates": {
            "type": "boolean",
            "description": "priced from sample rates (REMIT_RATES_MODE=sample): not market data",
        },
        "rates_notice": {"type": ["string", "null"]},
    },
    "required": ["remittance_id", "paid_at", "funds_available_on", "disclosure", "rights"],
}


async def receipt_view(svc: Services, caller: Caller, remittance_id: str) -> dict[str, Any]:
    """The receipt as JSON (its schema: `RECEIPT_SCHEMA`, just above); priced from sample
    rates (REMIT_RATES_MODE=sample), it says so."""
    body = (await receipt(svc, caller, remittance_id)).to_dict()
    async with reading(svc.engine) as conn:
        quote = await quote_store.in_use_by(conn, remittance_id)
    return body | sample_fields(quote.rate_source)
