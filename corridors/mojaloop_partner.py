"""The payout port towards a Mojaloop switch (FSPIOP v2.0): every call is answered 202 and its
result comes later as a PUT callback to our FSPIOP endpoint (gateway/api/fspiop_routes.py),
which hands it to the CallbackHub this adapter waits on.

send: GET /parties/MSISDN/{phone} (who and which FSP), POST /quotes (amount to receive, the
payee's ILP packet and condition), POST /transfers (the condition; the payee's fulfilment comes
back in PUT /transfers/{id}, and must hash to the condition). Ids are derived from the payout
id (transferId is the payout id as a ULID, quoteId a stable hash), so asking again is the same
ask and a resent transfer is deduplicated by the switch. A party or quote callback that does
not come means nothing that moves money was sent: PartnerUnavailable, retried later. A transfer
callback that does not come is "unknown": the pipeline then asks GET /transfers/{id} (inquire),
never a blind resend; its /error 3208 (no such transfer) is the one answer that allows a resend.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import quote, urlsplit

import structlog

from corridors import fspiop
from corridors.breaker import PartnerUnavailable
from corridors.payout import (
    NOT_FOUND,
    HttpPayoutPartner,
    PayoutInstruction,
    PayoutResult,
)

log = structlog.get_logger("corridors.mojaloop")

CALLBACK_HEADER = "X-Callback-Url"
"""Where the switch should call us back. A real hub reads this from its endpoint registry; the
simulator learns it from this header (and remembers it per FSPIOP-Source)."""
OUR_FSP = "remitgateway"
_ACCEPTED = PayoutResult("accepted")


class _NoCallback(Exception):
    """The switch said 202 but its callback did not come within the wait."""


def _error_result(payload: bytes, status: int) -> PayoutResult:
    try:
        info = json.loads(payload).get("errorInformation", {})
        code = str(info["errorCode"])
    except (ValueError, AttributeError, KeyError, TypeError):
        return PayoutResult("failed", reason=f"http_{status}")
    if code == fspiop.MODIFIED_REQUEST:
        return PayoutResult("unknown", reason="idempotency_conflict")
    return PayoutResult("failed", reason=fspiop.reason_of(code))


def _request_outcome(status: int, payload: bytes) -> PayoutResult:
    """The synchronous answer: 202 (a callback follows), or an FSPIOP error."""
    if status in (200, 202):
        return _ACCEPTED
    if status == 409:
        return PayoutResult("unknown", reason="idempotency_conflict")
    return _error_result(payload, status)


def transfer_result(callback: fspiop.Callback, condition: str | None) -> PayoutResult:
    """PUT /transfers/{id} (or its /error) as our payout status."""
    if callback.error:
        code = callback.error_code or ""
        if code == fspiop.TRANSFER_NOT_FOUND:
            return PayoutResult("unknown", reason=NOT_FOUND)
        if code == fspiop.MODIFIED_REQUEST:
            return PayoutResult("unknown", reason="idempotency_conflict")
        if code in fspiop.TRANSIENT:
            return PayoutResult("unknown", reason=f"fspiop_{code}")
        return PayoutResult("failed", reason=fspiop.reason_of(code))
    state = callback.body.get("transferState")
    reference = _payee_reference(callback.body)
    if state == "COMMITTED":
        fulfilment = callback.body.get("fulfilment")
        if condition is not None and not (
            isinstance(fulfilment, str) and fspiop.fulfils(fulfilment, condition)
        ):
            log.warning("mojaloop.bad_fulfilment", resource=callback.resource)
            return PayoutResult("unknown", reason="bad_fulfilment")
        return PayoutResult("paid", reference)
    if state == "ABORTED":
        return PayoutResult("failed", reference, reason="TRANSFER_ABORTED")
    if state in ("RECEIVED", "RESERVED"):
        return PayoutResult("accepted", reference)
    return PayoutResult("unknown", reason="bad_response")


def _payee_reference(body: dict[str, Any]) -> str | None:
    extensions = (body.get("extensionList") or {}).get("extension") or []
    for item in extensions:
        if isinstance(item, dict) and item.get("key") == "payeeReference":
            return str(item.get("value"))
    return None


@dataclass
class MojaloopPayoutPartner(HttpPayoutPartner):
    """PayoutAdapter for a Mojaloop switch; `hub` is shared with the gateway's callback routes."""

    hub: fspiop.CallbackHub = field(default_factory=fspiop.CallbackHub)
    our_fsp: str = OUR_FSP
    callback_wait_s: float = 10.0
    callback_base: str | None = None
    protocol: ClassVar[str | None] = "mojaloop"
    _log: ClassVar[Any] = log
    content_type: ClassVar[str] = "application/json"
    _conditions: dict[str, str] = field(default_factory=dict)

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    def condition(self, transfer: str) -> str | None:
        """The condition this process sent for `transfer` (None after a restart)."""
        return self._conditions.get(transfer)

    def _headers(
        self, method: str, url: str, body: bytes, key: str, extra: Mapping[str, str] | None
    ) -> dict[str, str]:
        """FSPIOP headers and a JWS in place of our HMAC headers."""
        path = urlsplit(url).path
        uri = path[len(urlsplit(self.base_url).path) :] or "/"
        resource = uri.strip("/").split("/")[0]
        headers = fspiop.headers(
            resource=resource,
            method=method,
            uri=uri,
            source=self.our_fsp,
            destination=self.partner_id,
            body=body,
            secret=self.secret if isinstance(self.secret, bytes) else self.secret[0],
            now=self._now(),
            request=True,
        )
        if self.callback_base:
            headers[CALLBACK_HEADER] = self.callback_base
        return headers

    async def _ask(
        self, method: str, path: str, body: dict[str, Any] | None, resource: str, key: str
    ) -> tuple[PayoutResult, fspiop.Callback | None]:
        """Send, then wait for the callback of `resource`; (result of the request, callback or
        None when it did not come). The wait is registered before sending: a callback may
        overtake the 202."""
        future = self.hub.expect(resource)
        data = json.dumps(body, separators=(",", ":")).encode() if body is not None else b""
        try:
            result = await self._with_retries(
                method, self.base_url + path, data, key, _request_outcome
            )
            if result is not _ACCEPTED:
                return result, None
            try:
                return result, await asyncio.wait_for(asyncio.shield(future), self.callback_wait_s)
            except TimeoutError:
                return result, None
        finally:
            self.hub.forget(resource, future)

    async def send(self, instruction: PayoutInstruction) -> PayoutResult:
        if instruction.callback_url:
            self.callback_base = instruction.callback_url
        result = await self._send(instruction)
        return self._logged("payout.sent", instruction.payout_id, result)

    def _unavailable(self, why: str) -> PartnerUnavailable:
        log.info("mojaloop.no_callback", partner=self.partner_id, step=why)
        return PartnerUnavailable(self.partner_id, self.callback_wait_s)

    async def _send(self, instruction: PayoutInstruction) -> PayoutResult:
        pid = instruction.payout_id
        phone = instruction.recipient.get("phone")
        if not phone:
            return PayoutResult("failed", reason="RECIPIENT_NOT_ADDRESSABLE")
        party_path = f"/parties/MSISDN/{quote(str(phone), safe='+')}"
        result, party = await self._ask(
            "GET", party_path, None, f"parties/MSISDN/{phone}", f"party:{pid}"
        )
        if party is None:
            if result.status == "failed":
                return result  # refused outright: nothing moved
            raise self._unavailable("party")
        if party.error:
            code = party.error_code or ""
            if code in fspiop.TRANSIENT:
                raise self._unavailable("party")
            return PayoutResult("failed", reason=fspiop.reason_of(code))
        payee_fsp = party.body.get("party", {}).get("partyIdInfo", {}).get("fspId")
        payee_fsp = payee_fsp or self.partner_id

        quote_id = fspiop.derived_id("quote", pid)
        result, quoted = await self._ask(
            "POST",
            "/quotes",
            self._quote_body(instruction, quote_id, payee_fsp, str(phone)),
            f"quotes/{quote_id}",
            f"quote:{pid}",
        )
        if quoted is None:
            if result.status == "failed":
                return result
            raise self._unavailable("quote")
        if quoted.error:
            code = quoted.error_code or ""
            if code in fspiop.TRANSIENT:
                raise self._unavailable("quote")
            return PayoutResult("failed", reason=fspiop.reason_of(code))

        transfer = fspiop.transfer_id(pid)
        body = {
            "transferId": transfer,
            "payeeFsp": payee_fsp,
            "payerFsp": self.our_fsp,
            "amount": quoted.body["transferAmount"],
            "ilpPacket": quoted.body["ilpPacket"],
            "condition": quoted.body["condition"],
            "expiration": quoted.body["expiration"],
        }
        self._conditions[transfer] = quoted.body["condition"]
        result, settled = await self._ask("POST", "/transfers", body, f"transfers/{transfer}", pid)
        if settled is None:
            if result.status != "accepted":
                return result
            return PayoutResult("unknown", reason="timeout")  # GET /transfers/{id} follows
        return transfer_result(settled, quoted.body["condition"])

    def _quote_body(
        self, instruction: PayoutInstruction, quote_id: str, payee_fsp: str, phone: str
    ) -> dict[str, Any]:
        payer: dict[str, Any] = {
            "partyIdInfo": {
                "partyIdType": "BUSINESS",
                "partyIdentifier": self.our_fsp,
                "fspId": self.our_fsp,
            }
        }
        originator = (instruction.travel_rule or {}).get("originator") or {}
        if originator.get("name"):
            payer["name"] = str(originator["name"])[:128]
        if originator.get("birth_date"):
            payer["personalInfo"] = {"dateOfBirth": str(originator["birth_date"])}
        return {
            "quoteId": quote_id,
            "transactionId": fspiop.derived_id("transaction", instruction.payout_id),
            "payee": {
                "partyIdInfo": {
                    "partyIdType": "MSISDN",
                    "partyIdentifier": phone,
                    "fspId": payee_fsp,
                }
            },
            "payer": payer,
            "amountType": "RECEIVE",
            "amount": {
                "currency": instruction.currency,
                "amount": fspiop.amount(instruction.amount),
            },
            "transactionType": {
                "scenario": "TRANSFER",
                "initiator": "PAYER",
                "initiatorType": "BUSINESS",
            },
            "note": f"Remittance {instruction.payout_id}"[:128],
        }

    async def inquire(self, payout_id: str) -> PayoutResult:
        transfer = fspiop.transfer_id(payout_id)
        result, callback = await self._ask(
            "GET", f"/transfers/{transfer}", None, f"transfers/{transfer}", payout_id
        )
        if callback is None:
            outcome = result if result.status != "accepted" else None
            result = outcome or PayoutResult("unknown", reason="timeout")
            if result.status == "failed":  # a refused GET says nothing about the transfer
                result = PayoutResult("unknown", reason=result.reason)
        else:
            result = transfer_result(callback, self._conditions.get(transfer))
        return self._logged("payout.inquired", payout_id, result)

    async def cancel(self, payout_id: str) -> PayoutResult:
        """A prepared Mojaloop transfer cannot be withdrawn by the payer: ask what it became
        (too late when committed, refundable when aborted or never received)."""
        return await self.inquire(payout_id)
