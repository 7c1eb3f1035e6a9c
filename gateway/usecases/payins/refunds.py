"""Refunds to the original source (a card or a bank account) of a remittance that did not pay
out, instead of keeping the money in the wallet."""

from __future__ import annotations

from typing import Any

import structlog

from corridors.payin import (
    METHODS,
    PayinPartnerError,
    PayinRefund,
)
from fx.money import Money
from gateway.domain import payins as domain
from gateway.domain.callers import Caller
from gateway.domain.payin_states import CUSTOMER_MONEY
from gateway.domain.payin_states import PayinStatus as P
from gateway.domain.states import Status
from gateway.errors import Conflict
from gateway.services import Services
from gateway.storage import payins as store
from gateway.usecases.ownership import own_remittance
from gateway.usecases.payins.partner_client import partner_client
from gateway.usecases.payins.views import PAYIN_SCHEMA, payin_view
from ledger_adapter.port import InsufficientFunds
from ledger_adapter.sessions import reading

log = structlog.get_logger("gateway.payins")

# Remittances whose money may go back to its source at the sender's request.
REFUNDABLE_STATES = frozenset({Status.EXPIRED, Status.REFUNDED, Status.CANCELLED, Status.REJECTED})


async def _partner_refund(svc: Services, row: Any) -> bool:
    """Ask the partner to send the money back; False when it could not be told (retry later)."""
    refund = PayinRefund(
        f"refund:{row.id}",
        row.partner_payin_id,
        str(Money.from_minor(row.amount_minor, row.currency)),
        row.currency,
    )
    async with partner_client(svc, row.partner_id) as adapter:
        if adapter is None:
            return False
        try:
            await adapter.refund(refund)
        except PayinPartnerError as exc:
            log.warning("payin_refund_not_sent", payin=row.id, error=str(exc))
            return False
    return True


REFUND_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "remittance_id": {"type": "string"},
        "payins": {"type": "array", "items": PAYIN_SCHEMA},
    },
}


async def refund_to_source(svc: Services, caller: Caller, remittance_id: str) -> dict[str, Any]:
    """The sender asks for the money of a remittance that did not pay out back where it came
    from (a card or a bank account), instead of keeping it in the wallet; the body's schema
    is `REFUND_SCHEMA`, just above."""
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
