"""Receipts: what a sender who has paid is owed in writing (12 CFR 1005.31(b)(2) and the like)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from compliance.protections.receipt import Receipt, make_receipt
from fx.money import Money
from gateway.errors import Conflict, NotFound
from gateway.services import Services
from gateway.storage import remittances as store
from gateway.storage.keys import Caller
from gateway.storage.tables import quotes, remittances
from gateway.usecases.ownership import owned_remittance
from gateway.usecases.quotes import quote_disclosure
from gateway.usecases.rates import sample_fields
from ledger_adapter.sessions import reading

PAID = "funded"


async def receipt(svc: Services, caller: Caller, remittance_id: str) -> Receipt:
    """The receipt of a remittance the sender has paid for; before payment there is none."""
    async with reading(svc.engine) as conn:
        row = await owned_remittance(conn, caller, remittance_id)
        if row is None:
            raise NotFound(f"remittance {remittance_id}")
        history = await store.history(conn, remittance_id)
        rate = (
            await conn.execute(sa.select(quotes.c.rate).where(quotes.c.id == row.quote_id))
        ).scalar_one()
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
        source = (
            await conn.execute(
                sa.select(quotes.c.rate_source)
                .select_from(quotes.join(remittances, remittances.c.quote_id == quotes.c.id))
                .where(remittances.c.id == remittance_id)
            )
        ).scalar_one()
    return body | sample_fields(source)
