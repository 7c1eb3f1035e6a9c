"""The payout port towards a bank that speaks ISO 20022 over signed HTTP with XML bodies.

send: POST {base_url}/iso20022/pacs.008 with a pacs.008.001.08, answered by a pacs.002.
inquire: POST {base_url}/iso20022/pacs.028 (status request), answered by a pacs.002; 404 means
the bank never received that payment (then, and only then, the pipeline sends it again).
Bodies are signed exactly as the JSON protocol's (corridors/signing.py), under the same
Idempotency-Key; the bank deduplicates by UETR, which is derived from the payout id, so a resend
with a fresh MsgId is still the same payment. Where to report back goes in X-Callback-Url (the
bank then POSTs a signed pacs.002 or pacs.004 there). Retries, breaker and timeouts are those
of HttpPayoutPartner: a timeout is "unknown", never a failure.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

import structlog

from corridors import iso20022 as iso
from corridors.payout import NOT_FOUND, HttpPayoutPartner, PayoutInstruction, PayoutResult
from corridors.signing import verify

log = structlog.get_logger("corridors.iso20022")

CALLBACK_HEADER = "X-Callback-Url"
CHARGE_BEARER = {"sepa": "SLEV"}
"""ChrgBr per payout method: SEPA rules require SLEV; elsewhere the sender pays our fee and the
recipient gets the whole amount (DEBT)."""


def charge_bearer(method: str | None) -> str:
    return CHARGE_BEARER.get(method or "", "DEBT")


def _answer(status: int, payload: bytes) -> PayoutResult | None:
    """The pacs.002 in a response, or None when the body is not a valid one."""
    try:
        _, result = iso.status_of(payload)
    except iso.MessageInvalid as exc:
        log.warning("iso20022.bad_response", http_status=status, problem=str(exc)[:200])
        return None
    return result


@dataclass
class Iso20022PayoutPartner(HttpPayoutPartner):
    """PayoutAdapter for an ISO 20022 bank; `payout_method` picks the charge bearer."""

    payout_method: str | None = None
    protocol: ClassVar[str | None] = "iso20022"
    _log: ClassVar[Any] = log
    content_type: ClassVar[str] = "application/xml"

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    async def send(self, instruction: PayoutInstruction) -> PayoutResult:
        try:
            body = iso.pacs008(
                instruction,
                msg_id=uuid.uuid4().hex,
                created=self._now(),
                charge_bearer=charge_bearer(self.payout_method),
            )
        except iso.MessageInvalid as exc:
            # Nothing was sent: refusing here is safe, and the payout is refunded.
            log.warning("iso20022.unbuildable", payout_id=instruction.payout_id, problem=str(exc))
            return PayoutResult("failed", reason="ISO_MESSAGE_INVALID")
        headers = {CALLBACK_HEADER: instruction.callback_url} if instruction.callback_url else {}
        url = f"{self.base_url}/iso20022/pacs.008"
        result = await self._with_retries(
            "POST", url, body, instruction.payout_id, self._send_outcome, headers
        )
        return self._logged("payout.sent", instruction.payout_id, result)

    async def inquire(self, payout_id: str) -> PayoutResult:
        body = iso.pacs028(msg_id=uuid.uuid4().hex, created=self._now(), payout_id=payout_id)
        url = f"{self.base_url}/iso20022/pacs.028"
        result = await self._with_retries("POST", url, body, payout_id, self._inquiry_outcome)
        return self._logged("payout.inquired", payout_id, result)

    async def cancel(self, payout_id: str) -> PayoutResult:
        """No recall (camt.056) yet: the status request says whether it is too late (paid),
        failed, or never received; an accepted payment is waited for."""
        return await self.inquire(payout_id)

    @staticmethod
    def _send_outcome(status: int, payload: bytes) -> PayoutResult:
        if status == 409:
            return PayoutResult("unknown", reason="idempotency_conflict")
        answer = _answer(status, payload)
        if 200 <= status < 300:
            return answer or PayoutResult("unknown", reason="bad_response")
        if answer is not None and answer.status == "failed":
            return answer  # the bank rejected the instruction, with its reason
        return PayoutResult("failed", reason=f"http_{status}")

    @staticmethod
    def _inquiry_outcome(status: int, payload: bytes) -> PayoutResult:
        if status == 404:
            return PayoutResult("unknown", reason=NOT_FOUND)
        if status == 200:
            return _answer(status, payload) or PayoutResult("unknown", reason="bad_response")
        return PayoutResult("unknown", reason=f"http_{status}")


def read_callback(
    secrets: Sequence[bytes], headers: Mapping[str, str], body: bytes, now: float
) -> tuple[str, PayoutResult]:
    """A bank's signed pacs.002 (status) or pacs.004 (return): (payout id, result).

    Raises SignatureError, or MessageInvalid (a ValueError) for anything not schema-valid:
    the caller answers with a problem and records nothing."""
    verify(secrets, headers, body, now)
    payout_id, result = iso.status_of(body)
    if not payout_id:
        raise iso.MessageInvalid("the report names no transaction (OrgnlEndToEndId)")
    return payout_id, result
