"""A Mojaloop switch's PUT callbacks (FSPIOP v2.0): JWS and FSPIOP headers first, then the body.

The callback wakes the request waiting for it in this process (CallbackHub); a transfer's
final state is also recorded on the remittance, exactly as a signed JSON callback is, so a
callback that arrives late, twice, or in another process still settles the payout once.
Anything refused (bad signature, not the shape FSPIOP defines) changes nothing."""

from __future__ import annotations

import json
from typing import Any

import structlog

from corridors import fspiop
from corridors.mojaloop_partner import MojaloopPayoutPartner, transfer_result
from corridors.signing import SignatureError
from gateway.errors import BadSignature, Conflict, Invalid, validation
from gateway.services import Services
from gateway.usecases.partner_payouts import record_result

log = structlog.get_logger("gateway.fspiop")

_TRANSFER_STATES = frozenset({"RECEIVED", "RESERVED", "COMMITTED", "ABORTED"})


def _problem(detail: str) -> Invalid:
    return validation([{"field": "body", "message": detail}])


def _check_shape(resource: str, error: bool, data: dict[str, Any]) -> None:
    """The fields we act on, as the FSPIOP OpenAPI defines them (tests hold the messages to
    the published schema itself)."""
    if error:
        info = data.get("errorInformation")
        code = info.get("errorCode") if isinstance(info, dict) else None
        if not (isinstance(code, str) and len(code) == 4 and code.isdigit()):
            raise _problem("errorInformation.errorCode must be a 4-digit string")
        return
    kind = resource.split("/")[0]
    if kind == "parties":
        party = data.get("party")
        info = party.get("partyIdInfo") if isinstance(party, dict) else None
        if not isinstance(info, dict) or not info.get("partyIdentifier"):
            raise _problem("party.partyIdInfo is required")
    elif kind == "quotes":
        missing = [
            k for k in ("transferAmount", "expiration", "ilpPacket", "condition") if k not in data
        ]
        if missing:
            raise _problem(f"missing {', '.join(missing)}")
    elif kind == "transfers":
        if data.get("transferState") not in _TRANSFER_STATES:
            raise _problem(f"transferState must be one of {', '.join(sorted(_TRANSFER_STATES))}")
        fulfilment = data.get("fulfilment")
        if fulfilment is not None and not (isinstance(fulfilment, str) and len(fulfilment) == 43):
            raise _problem("fulfilment must be 43 base64url characters")


async def receive(
    svc: Services, partner_id: str, path: str, headers: Any, body: bytes
) -> dict[str, Any]:
    """`path` is the FSPIOP path the switch signed (e.g. /transfers/{id}/error)."""
    partner = await svc.partners.info(partner_id, svc.now())
    secrets = partner.secrets if partner is not None else ()
    try:
        fspiop.verify(secrets, headers, body, method="PUT", uri=path, now=svc.now())
    except SignatureError as exc:
        log.info("fspiop.callback_refused", partner=partner_id, reason=exc.reason)
        raise BadSignature(f"signature refused: {exc.reason}") from None
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise _problem("body is not JSON") from None
    if not isinstance(data, dict):
        raise _problem("body must be a JSON object")
    error = path.endswith("/error")
    resource = path.strip("/").removesuffix("/error")
    _check_shape(resource, error, data)
    callback = fspiop.Callback(resource, data, error)
    delivered = svc.partners.hub.deliver(callback)
    applied = False
    kind, _, ident = resource.partition("/")
    payout_id = fspiop.payout_id_of(ident) if kind == "transfers" else None
    if payout_id is not None:
        adapter = svc.partners.installed(partner_id)
        condition = adapter.condition(ident) if isinstance(adapter, MojaloopPayoutPartner) else None
        result = transfer_result(callback, condition)
        if result.status in ("paid", "failed"):
            try:
                applied = await record_result(svc, partner_id, payout_id, result)
            except Conflict:
                log.warning("fspiop.callback_conflict", partner=partner_id, payout_id=payout_id)
    return {"resource": resource, "delivered": delivered, "applied": applied}
