"""Payout instructions to push partners: signed, idempotent, retried, never paid twice.

The rule that keeps money safe: once a request may have reached the partner, the only honest
answer to a timeout is "unknown". The gateway then asks (`inquire`) instead of sending blindly;
a resend is only ever the *same* instruction under the *same* idempotency key.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar, Literal, Protocol
from urllib.parse import quote

import aiohttp
import structlog
from tenacity import (
    AsyncRetrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_random_exponential,
)

from corridors import jsondoc
from corridors.breaker import CircuitBreaker, PartnerUnavailable
from corridors.signing import signature_headers, verify
from fx.money import AmountError, is_currency, to_decimal

__all__ = [
    "IDEMPOTENCY_HEADER",
    "NOT_FOUND",
    "CircuitBreaker",
    "HttpPayoutPartner",
    "PartnerUnavailable",
    "PayoutAdapter",
    "PayoutInstruction",
    "PayoutResult",
    "PayoutStatus",
    "read_callback",
]

log = structlog.get_logger("corridors.payout")

PayoutStatus = Literal["accepted", "paid", "failed", "unknown", "cancelled"]
IDEMPOTENCY_HEADER = "Idempotency-Key"
NOT_FOUND = "not_found"
"""`inquire` reason when the partner has no payout under that key (see HttpPayoutPartner)."""
_PARTNER_STATUSES = frozenset({"accepted", "paid", "failed", "cancelled"})
_RETRYABLE_4XX = frozenset({408, 429})


@dataclass(frozen=True, slots=True)
class PayoutInstruction:
    """What the partner must pay; `payout_id` is also the idempotency key."""

    payout_id: str
    remittance_id: str
    amount: str
    currency: str
    recipient: dict[str, Any]
    corridor_id: str
    callback_url: str | None = None
    # Originator and beneficiary data the travel rule requires (FATF R16, EU TFR), bound to
    # the remittance's reference; None when the rule does not apply to this transfer.
    travel_rule: dict[str, Any] | None = None
    # The on-chain transfer that paid the partner in coin before this instruction: coin,
    # amount, to (its address), tx_hash, log_index. None when settled in the ledger only.
    chain_settlement: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        if not self.payout_id or len(self.payout_id) > 200:
            raise ValueError("payout_id must be 1..200 characters")
        if not isinstance(self.amount, str):
            raise ValueError("amount must be a decimal string")
        try:
            amount = to_decimal(self.amount)
        except AmountError as exc:
            raise ValueError(f"amount {self.amount!r} is not a decimal") from exc
        if amount <= 0:
            raise ValueError("amount must be a positive, finite decimal")
        if not is_currency(self.currency):
            raise ValueError("currency must be an ISO 4217 code")

    def to_json(self) -> dict[str, Any]:
        body = asdict(self)
        for optional in ("travel_rule", "chain_settlement"):
            if body[optional] is None:
                del body[optional]  # instructions without it keep the bytes they always had
        return body

    def body(self) -> bytes:
        """Canonical JSON: the same instruction always yields the same bytes (and signature)."""
        return json.dumps(self.to_json(), sort_keys=True, separators=(",", ":")).encode()


@dataclass(frozen=True, slots=True)
class PayoutResult:
    """The partner's answer as far as we know it."""

    status: PayoutStatus
    partner_reference: str | None = None
    reason: str | None = None


class PayoutAdapter(Protocol):
    """A payout partner as the pipeline sees it (HTTP client, in-memory fake, ...)."""

    async def send(self, instruction: PayoutInstruction) -> PayoutResult:
        """Instruct a payout. Timeouts and exhausted retries give "unknown", never an exception;
        raises PartnerUnavailable only when nothing was sent (circuit open)."""
        ...

    async def inquire(self, payout_id: str) -> PayoutResult:
        """Ask what became of `payout_id`."""
        ...

    async def cancel(self, payout_id: str) -> PayoutResult:
        """Withdraw `payout_id` (the sender cancelled): "cancelled" when the partner confirms,
        its status when it is too late (paid), reason not_found when it never had it."""
        ...


class _Transient(Exception):
    """An attempt whose fate is unknown (timeout, 5xx, connection trouble): retry it."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


def _result_from(payload: bytes) -> PayoutResult | None:
    try:
        data = jsondoc.loads(payload)  # a reference we could not store is no answer
    except ValueError:
        return None
    return _result_of(data)


def _result_of(data: object) -> PayoutResult | None:
    if not isinstance(data, dict) or data.get("status") not in _PARTNER_STATUSES:
        return None
    ref, reason = data.get("partner_reference"), data.get("reason")
    return PayoutResult(
        data["status"],
        str(ref) if ref is not None else None,
        str(reason) if reason is not None else None,
    )


def _reason_from(payload: bytes, status: int) -> str:
    try:
        data = jsondoc.loads(payload)
        if isinstance(data, dict) and isinstance(data.get("reason"), str):
            return data["reason"]
    except ValueError:
        pass
    return f"http_{status}"


@dataclass
class HttpPayoutPartner:
    """PayoutAdapter over HTTP (the simulator's protocol; see corridors/simulator.py).

    `send`: POST {base_url}/payouts, JSON body, `Idempotency-Key: <payout_id>`, signed with
    X-Remit-Timestamp / X-Remit-Signature. Retries (exponential backoff with jitter, up to
    `max_attempts`) only on timeouts, connection errors, 5xx, 408 and 429; every retry resends
    the identical body under the same key. Outcomes: 2xx -> the partner's status; 409 (key
    reused with another body) -> "unknown" with reason "idempotency_conflict" (something is
    recorded under that key: inquire, never refund blindly); other 4xx -> "failed" with the
    partner's reason code; retries exhausted -> "unknown".

    `inquire`: GET {base_url}/payouts/{payout_id}, signed over an empty body. 200 -> the
    partner's status. 404 -> status "unknown", reason "not_found": the partner never recorded
    this key, so nothing was paid under it. It is then safe (and the right move) to `send` the
    same instruction again with the same key; do not refund on a 404 alone, as the first
    request could still be in flight and the resend is deduplicated by the key.

    One instance per partner: its CircuitBreaker trips after repeated transient failures and
    PartnerUnavailable is raised before anything is sent.
    """

    base_url: str
    partner_id: str
    secret: bytes | Sequence[bytes]
    session: aiohttp.ClientSession
    timeout_s: float = 10
    max_attempts: int = 4
    breaker: CircuitBreaker | None = None
    backoff_base_s: float = 0.25
    backoff_max_s: float = 8.0
    clock: Callable[[], float] = field(default=time.time)
    content_type = "application/json"
    """Of the bodies this adapter sends (the ISO 20022 subclass sends XML)."""
    protocol: ClassVar[str | None] = None
    """Named in the log lines of a standard's subclass."""
    _log: ClassVar[Any] = log

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        if self.breaker is None:
            self.breaker = CircuitBreaker(partner_id=self.partner_id)

    async def send(self, instruction: PayoutInstruction) -> PayoutResult:
        body = instruction.body()
        url = f"{self.base_url}/payouts"
        key = instruction.payout_id
        result = await self._with_retries("POST", url, body, key, self._send_outcome)
        return self._logged("payout.sent", key, result)

    async def inquire(self, payout_id: str) -> PayoutResult:
        url = f"{self.base_url}/payouts/{quote(payout_id, safe='')}"
        result = await self._with_retries("GET", url, b"", payout_id, self._inquiry_outcome)
        return self._logged("payout.inquired", payout_id, result)

    async def cancel(self, payout_id: str) -> PayoutResult:
        url = f"{self.base_url}/payouts/{quote(payout_id, safe='')}/cancel"
        result = await self._with_retries("POST", url, b"", payout_id, self._cancel_outcome)
        log.info(
            "payout.cancel", partner=self.partner_id, payout_id=payout_id, status=result.status
        )
        return result

    def _logged(self, event: str, payout_id: str, result: PayoutResult) -> PayoutResult:
        """Logs what the partner made of the payout (`payout.sent`, `payout.inquired`)."""
        protocol = {"protocol": self.protocol} if self.protocol else {}
        self._log.info(
            event,
            partner=self.partner_id,
            payout_id=payout_id,
            **protocol,
            status=result.status,
            reason=result.reason,
        )
        return result

    @staticmethod
    def _cancel_outcome(status: int, payload: bytes) -> PayoutResult:
        if status in (200, 409):  # 409: too late, the body says what it became
            return _result_from(payload) or PayoutResult("unknown", reason="bad_response")
        if status == 404:
            return PayoutResult("unknown", reason=NOT_FOUND)
        return PayoutResult("unknown", reason=f"http_{status}")

    @staticmethod
    def _send_outcome(status: int, payload: bytes) -> PayoutResult:
        if 200 <= status < 300:
            return _result_from(payload) or PayoutResult("unknown", reason="bad_response")
        if status == 409:
            return PayoutResult("unknown", reason="idempotency_conflict")
        return PayoutResult("failed", reason=_reason_from(payload, status))

    @staticmethod
    def _inquiry_outcome(status: int, payload: bytes) -> PayoutResult:
        if status == 200:
            return _result_from(payload) or PayoutResult("unknown", reason="bad_response")
        if status == 404:
            return PayoutResult("unknown", reason=NOT_FOUND)
        return PayoutResult("unknown", reason=f"http_{status}")

    async def _with_retries(
        self,
        method: str,
        url: str,
        body: bytes,
        key: str,
        outcome: Callable[[int, bytes], PayoutResult],
        headers: Mapping[str, str] | None = None,
    ) -> PayoutResult:
        assert self.breaker is not None
        attempts = 0
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.max_attempts),
            wait=wait_random_exponential(multiplier=self.backoff_base_s, max=self.backoff_max_s),
            retry=retry_if_exception_type(_Transient),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    try:
                        self.breaker.before_call()
                    except PartnerUnavailable:
                        if attempts == 0:
                            raise  # nothing sent at all: the caller retries later
                        return PayoutResult("unknown", reason="circuit_open")
                    attempts += 1
                    status, payload = await self._attempt(method, url, body, key, headers)
                    return outcome(status, payload)
        except _Transient as exc:
            return PayoutResult("unknown", reason=exc.reason)
        raise AssertionError("unreachable")  # pragma: no cover

    def _headers(
        self, method: str, url: str, body: bytes, key: str, extra: Mapping[str, str] | None
    ) -> dict[str, str]:
        """Ours: the idempotency key, our HMAC signature, the caller's extra headers."""
        headers = {IDEMPOTENCY_HEADER: key, **signature_headers(self.secret, body, self.clock())}
        headers.update(extra or {})
        if body:
            headers["Content-Type"] = self.content_type
        return headers

    async def _attempt(
        self,
        method: str,
        url: str,
        body: bytes,
        key: str,
        extra: Mapping[str, str] | None = None,
    ) -> tuple[int, bytes]:
        """One signed request; transient trouble is counted by the breaker and raised."""
        assert self.breaker is not None
        headers = self._headers(method, url, body, key, extra)
        timeout = aiohttp.ClientTimeout(total=self.timeout_s)
        try:
            async with self.session.request(
                method, url, data=body or None, headers=headers, timeout=timeout
            ) as response:
                payload = await response.read()
                status = response.status
        except TimeoutError as exc:
            self.breaker.record_failure()
            raise _Transient("timeout") from exc
        except aiohttp.ClientError as exc:
            self.breaker.record_failure()
            raise _Transient("connection_error") from exc
        if status >= 500 or status in _RETRYABLE_4XX:
            self.breaker.record_failure()
            raise _Transient(f"http_{status}")
        self.breaker.record_success()
        return status, payload


def read_callback(
    secrets: Sequence[bytes], headers: Mapping[str, str], body: bytes, now: float
) -> tuple[str, PayoutResult]:
    """Verify a partner's status callback and return (payout_id, result).

    Raises SignatureError (bad/stale signature) or ValueError (not a status document).
    Callbacks may arrive twice or late: the caller applies them idempotently.
    """
    verify(secrets, headers, body, now)
    data = jsondoc.loads(body)  # ValueError (BadText naming the field) for NUL, surrogates
    result = _result_of(data)
    payout_id = data.get("payout_id") if isinstance(data, dict) else None
    if result is None or not isinstance(payout_id, str) or not payout_id:
        raise ValueError("callback is not a payout status document")
    return payout_id, result
