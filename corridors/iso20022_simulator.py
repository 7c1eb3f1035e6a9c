"""The partner simulator's ISO 20022 bank mode: the same faults and promises as its JSON mode
(corridors/simulator.py), spoken in pacs messages validated against the shipped XSDs.

- POST /iso20022/pacs.008: a signed pacs.008.001.08 (X-Remit-Timestamp, X-Remit-Signature over
  the XML body). 200 pacs.002 (ACSP accepted, ACSC settled, RJCT with an ISO reason code); 400
  pacs.002 RJCT FF01 for a message that is not schema-valid (nothing recorded); 401 bad
  signature; 409 the same UETR with another transaction; 503 faults. Deduplicated by the
  canonical transaction (UETR, amount, accounts ...), not by MsgId, as banks do.
- POST /iso20022/pacs.028: a signed status request; 200 pacs.002, 404 never received.
- Callback to the X-Callback-Url of the instruction: a signed pacs.002 once final.
- GET /_sim/statement.camt053 (unsigned): camt.053.001.08 of our prefunded account, one booked
  debit per payment made (a payout paid twice appears twice).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from aiohttp import web

from corridors import iso20022 as iso
from corridors.iso20022_partner import CALLBACK_HEADER
from corridors.simulator import STATE, _checked_body, _Payout, _State, admit

XML = "application/xml"
ACCOUNT = "REMIT-PREFUNDED-001"


def _now(state: _State) -> datetime:
    return datetime.fromtimestamp(state.clock(), UTC)


def _msg_id(state: _State) -> str:
    return f"SIMBANK{uuid.UUID(int=state.rng.getrandbits(128)).hex[:20]}"


def status_report(state: _State, payout: _Payout, original_msg_id: str | None = None) -> bytes:
    """pacs.002 of one payout's current status, our reason names mapped to ISO codes."""
    status = iso.OUR_STATUS_CODE.get(payout.status, "PDNG")
    failed = payout.status == "failed"
    return iso.pacs002(
        msg_id=_msg_id(state),
        created=_now(state),
        original_msg_id=original_msg_id or payout.instruction.get("msg_id") or "NOTPROVIDED",
        original_message=iso.PACS008,
        end_to_end=iso.end_to_end_id(payout.instruction["payout_id"]),
        status=status,
        reason_code=iso.ISO_CODE.get(payout.reason or "", "MS03") if failed else None,
        info=None if failed else payout.partner_reference,
    )


def _xml(body: bytes, status: int = 200) -> web.Response:
    return web.Response(body=body, status=status, content_type=XML)


def _rejection(state: _State, original: str) -> web.Response:
    """A message we cannot read is refused whole (group status RJCT); nothing is recorded."""
    body = iso.pacs002(
        msg_id=_msg_id(state),
        created=_now(state),
        original_msg_id="NOTPROVIDED",
        original_message=original,
        end_to_end=None,
        status="RJCT",
    )
    return _xml(body, 400)


async def _credit_transfer(request: web.Request) -> web.Response:
    state = request.app[STATE]
    body = await _checked_body(request, state)
    try:
        transfer = iso.credit_transfer(body)
    except iso.MessageInvalid:
        return _rejection(state, iso.PACS008)
    instruction = {
        "payout_id": transfer.payout_id,
        "amount": transfer.amount,
        "currency": transfer.currency,
        "uetr": transfer.uetr,
        "msg_id": transfer.msg_id,
        "callback_url": request.headers.get(CALLBACK_HEADER),
    }
    # Keyed by payout id, which the UETR is derived from: one UETR, one payment.
    admitted = await admit(state, transfer.payout_id, transfer.fingerprint, instruction, "iso20022")
    if isinstance(admitted, web.Response):
        return admitted
    return _xml(status_report(state, admitted, transfer.msg_id))


async def _status_request(request: web.Request) -> web.Response:
    state = request.app[STATE]
    body = await _checked_body(request, state)
    try:
        msg_id, payout_id = iso.status_request(body)
    except iso.MessageInvalid:
        return _rejection(state, iso.PACS028)
    payout = state.payouts.get(payout_id)
    if payout is None:
        report = iso.pacs002(
            msg_id=_msg_id(state),
            created=_now(state),
            original_msg_id=msg_id,
            original_message=iso.PACS028,
            end_to_end=iso.end_to_end_id(payout_id),
            status="RJCT",
            reason_code=iso.NOT_FOUND_REASON,
        )
        return _xml(report, 404)
    return _xml(status_report(state, payout, msg_id))


def statement(state: _State) -> bytes:
    entries = [
        (p.instruction["payout_id"], p.instruction["amount"], p.partner_reference)
        for p in state.payouts.values()
        if p.protocol == "iso20022"
        for _ in range(p.payments)
    ]
    currencies = {p.instruction["currency"] for p in state.payouts.values()}
    return iso.camt053(
        msg_id=_msg_id(state),
        created=_now(state),
        account=ACCOUNT,
        currency=sorted(currencies)[0] if currencies else "EUR",
        entries=entries,
    )


async def _statement(request: web.Request) -> web.Response:
    return _xml(statement(request.app[STATE]))


def add_routes(app: web.Application) -> None:
    app.router.add_post("/iso20022/pacs.008", _credit_transfer)
    app.router.add_post("/iso20022/pacs.028", _status_request)
    app.router.add_get("/_sim/statement.camt053", _statement)
