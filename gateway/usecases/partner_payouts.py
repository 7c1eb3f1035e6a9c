"""What payout partners do through our API: pull mode (list, accept, report a status) and
signed status callbacks from push partners. Both only record the partner's word on the
remittance row and wake the pipeline; the payout step then settles the ledger and moves the
state, so there is one place where a payout completes.

Recording is idempotent and monotonic: a final status (paid / failed) is never overwritten, so
duplicate and late callbacks are harmless; a contradicting one is refused (409)."""

from __future__ import annotations

from typing import Any

import structlog

from corridors import jsondoc
from corridors.iso20022_partner import read_callback as read_iso_callback
from corridors.payout import PayoutResult, read_callback
from corridors.signing import SignatureError
from fx.money import Money
from gateway.domain.callers import Caller
from gateway.domain.states import Status
from gateway.errors import BadSignature, Conflict, NotFound, Refused, validation
from gateway.services import Services
from gateway.storage import payouts as payout_store
from gateway.storage import remittances as rem_store
from gateway.usecases import travel_rule
from gateway.usecases.remittances import REMITTANCE_SCHEMA
from gateway.usecases.requests.partners import PayoutStatusRequest
from gateway.usecases.schemas import NULL_STR, STR, strings
from ledger_adapter.evm.items import items as chain_items
from ledger_adapter.evm.items import settlement_view
from ledger_adapter.sessions import reading

log = structlog.get_logger("gateway.partners")

S = Status
FINAL = ("paid", "failed")
# Where the partner's word may still change the outcome (in_transit: a callback can outrun
# the answer to our own instruction).
OPEN = (S.IN_TRANSIT.value, S.PAYOUT_PENDING.value, S.PAYOUT_UNKNOWN.value)
DONE = {S.PAID_OUT.value: "paid", S.FAILED.value: "failed", S.REFUNDED.value: "failed"}
LISTABLE = {"pending": None, "accepted": "accepted"}


def payout_status(row: Any) -> str:
    """The payout as the partner sees it: pending, accepted, paid, failed (or unknown)."""
    if row.status in DONE:
        return DONE[row.status]
    if row.status == S.PAYOUT_PENDING.value and row.payout_status is None:
        return "pending"
    return row.payout_status or "unknown"


PAYOUT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        **strings(
            "payout_id",
            "remittance_id",
            "status",
            "amount",
            "currency",
            "corridor_id",
            "created_at",
        ),
        "recipient": {"type": "object"},
        "partner_reference": NULL_STR,
        "reason": NULL_STR,
        "travel_rule": {
            "type": "object",
            "description": "originator and beneficiary data (FATF R16, EU TFR) bound to the "
            "remittance's reference; present when the transfer carries it",
            "properties": {
                "reference": STR,
                "rule": STR,
                "originator": {"type": "object"},
                "beneficiary": {"type": "object"},
            },
        },
        "chain_settlement": {
            **REMITTANCE_SCHEMA["properties"]["chain_settlement"],
            "description": "the coin already paid to the partner's address, when settled",
        },
    },
}


def payout_view(
    row: Any, travel: dict[str, Any] | None = None, chain: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The instruction for a pull partner: it needs the full recipient to pay (and the
    travel-rule data when the transfer carries it, as a push partner's instruction does);
    its schema is `PAYOUT_SCHEMA`, just above."""
    view = {
        "payout_id": row.id,
        "remittance_id": row.id,
        "status": payout_status(row),
        "amount": str(Money.from_minor(row.receive_amount_minor, row.receive_currency)),
        "currency": row.receive_currency,
        "corridor_id": row.corridor_id,
        "recipient": dict(row.recipient),
        "partner_reference": row.partner_reference,
        "reason": row.failure_reason,
        "created_at": row.created_at.isoformat(),
    }
    if travel is not None:
        view["travel_rule"] = travel
    if chain is not None:  # the coin already paid to the partner's address, as on the push
        view["chain_settlement"] = chain  # instruction
    return view


async def _chain_views(conn: Any, ids: list[str]) -> dict[str, dict[str, Any]]:
    rows = await chain_items(conn, ids)
    return {r.remittance_id: v for r in rows if (v := settlement_view(r)) is not None}


def _partner_of(caller: Caller) -> str:
    if not caller.partner_id:
        raise Refused("forbidden", "Forbidden", "this key is not bound to a partner")
    return caller.partner_id


async def list_payouts(svc: Services, caller: Caller, status: str, limit: int) -> dict[str, Any]:
    partner_id = _partner_of(caller)
    if status not in LISTABLE:
        raise validation([{"field": "status", "message": f"one of {', '.join(LISTABLE)}"}])
    if not 1 <= limit <= 500:
        raise validation([{"field": "limit", "message": "between 1 and 500"}])
    async with reading(svc.engine) as conn:
        rows = await payout_store.waiting(
            conn, partner_id, S.PAYOUT_PENDING.value, LISTABLE[status], limit
        )
        travel = await travel_rule.records_of(conn, [r.id for r in rows])
        chain = await _chain_views(conn, [r.id for r in rows])
    return {"payouts": [payout_view(r, travel.get(r.id), chain.get(r.id)) for r in rows]}


async def _own_payout(svc: Services, partner_id: str, payout_id: str) -> Any:
    """The payout, if it is this partner's: 404 when unknown, 403 when another partner's."""
    async with reading(svc.engine) as conn:
        row = await rem_store.get(conn, payout_id)
    if row is None or row.status not in (*OPEN, *DONE):
        raise NotFound(f"payout {payout_id}")
    if row.partner_id != partner_id:
        raise Refused("forbidden", "Forbidden", "this payout belongs to another partner")
    return row


async def get_payout(svc: Services, caller: Caller, payout_id: str) -> dict[str, Any]:
    row = await _own_payout(svc, _partner_of(caller), payout_id)
    async with reading(svc.engine) as conn:
        travel = await travel_rule.record_of(conn, row.id)
        chain = await _chain_views(conn, [row.id])
    return payout_view(row, travel, chain.get(row.id))


async def accept_payout(svc: Services, caller: Caller, payout_id: str) -> dict[str, Any]:
    """Pull mode: the partner takes the payout on. Accepting twice is fine."""
    partner_id = _partner_of(caller)
    row = await _own_payout(svc, partner_id, payout_id)
    if payout_status(row) not in ("pending", "accepted"):
        raise Conflict(
            "payout-not-pending", "Not pending", f"payout is {payout_status(row)}; cannot accept"
        )
    async with svc.engine.begin() as conn:
        await payout_store.accept(conn, payout_id, S.PAYOUT_PENDING.value, svc.now())
    log.info("partner.payout_accepted", partner=partner_id, payout_id=payout_id)
    return await get_payout(svc, caller, payout_id)


async def report_status(
    svc: Services, caller: Caller, payout_id: str, req: PayoutStatusRequest
) -> dict[str, Any]:
    """Pull mode: the partner's final word. Must accept first (a paid report implies it)."""
    partner_id = _partner_of(caller)
    await _own_payout(svc, partner_id, payout_id)
    result = PayoutResult(req.status, req.partner_reference, req.reason)
    await record_result(svc, partner_id, payout_id, result)
    return await get_payout(svc, caller, payout_id)


async def record_result(
    svc: Services, partner_id: str, payout_id: str, result: PayoutResult
) -> bool:
    """Record a final status once; True when it changed something. A repeat of the recorded
    status is a no-op; a contradicting one is a 409."""
    if result.status not in FINAL:
        return False  # interim news (accepted): the pipeline's own inquiry follows
    now = svc.now()
    values: dict[str, Any] = {"payout_status": result.status, "updated_at": now}
    if result.partner_reference:
        values["partner_reference"] = result.partner_reference
    if result.status == "failed":
        values["failure_reason"] = (result.reason or "failed")[:200]
    values["next_attempt_at"] = now
    async with svc.engine.begin() as conn:
        changed = await payout_store.record_final(conn, payout_id, partner_id, OPEN, FINAL, values)
        row = await rem_store.get(conn, payout_id)
    if changed:
        log.info("partner.payout_status", partner=partner_id, payout_id=payout_id, **_log(result))
        svc.wake_workers()
        return True
    if row is None or row.partner_id != partner_id:
        raise NotFound(f"payout {payout_id}")
    known = payout_status(row)
    if known != result.status:
        raise Conflict(
            "payout-status-conflict",
            "Status conflict",
            f"payout is already {known}; a {result.status} report cannot change it",
        )
    return False  # a duplicate


def _log(result: PayoutResult) -> dict[str, Any]:
    return {"status": result.status, "reason": result.reason}


async def receive_callback(
    svc: Services, partner_id: str, headers: Any, body: bytes
) -> dict[str, Any]:
    """A push partner's signed status callback. Signature and window first, then the body."""
    partner = await svc.partners.info(partner_id, svc.now())
    secrets = partner.secrets if partner is not None else ()
    try:
        reader = (
            read_iso_callback if svc.partners.protocol(partner_id) == "iso20022" else read_callback
        )
        payout_id, result = reader(secrets, headers, body, svc.now().timestamp())
    except SignatureError as exc:
        log.info("partner.callback_refused", partner=partner_id, reason=exc.reason)
        raise BadSignature(f"signature refused: {exc.reason}") from None
    except jsondoc.BadText as bad:
        raise validation([{"field": bad.path, "message": bad.message}]) from None
    except ValueError as exc:
        raise validation([{"field": "body", "message": str(exc)}]) from None
    try:
        applied = await record_result(svc, partner_id, payout_id, result)
    except Conflict:
        # A late, contradicting callback changes nothing; answering 2xx stops its resends.
        log.warning("partner.callback_conflict", partner=partner_id, payout_id=payout_id)
        applied = False
    return {"payout_id": payout_id, "applied": applied}
