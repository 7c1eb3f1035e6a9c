"""Receipts: what a sender who has paid is owed in writing (12 CFR 1005.31(b)(2) and the like)."""

from __future__ import annotations

from typing import Any

from compliance.protections.receipt import Receipt, make_receipt
from fx.money import Money
from gateway.errors import Conflict
from gateway.services import Services
from gateway.storage import quotes as quote_store
from gateway.storage import remittances as store
from gateway.storage.keys import Caller
from gateway.usecases.ownership import own_remittance
from gateway.usecases.quotes import quote_disclosure
from gateway.usecases.rates import sample_fields
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


async def receipt_view(svc: Services, caller: Caller, remittance_id: str) -> dict[str, Any]:
    """The receipt as JSON; priced from sample rates (REMIT_RATES_MODE=sample), it says so."""
    body = (await receipt(svc, caller, remittance_id)).to_dict()
    async with reading(svc.engine) as conn:
        quote = await quote_store.in_use_by(conn, remittance_id)
    return body | sample_fields(quote.rate_source)
