"""Mojaloop FSPIOP v2.0 as plain data: ids, amounts, headers, JWS signatures, the ILP-style
condition and fulfilment, error codes, and the hub where asynchronous callbacks meet the request
that is waiting for them. No I/O (the HTTP sides are mojaloop_partner.py and
mojaloop_simulator.py).

JWS: joserfc (RFC 7515, typed, maintained, built on `cryptography`, which we already use; it lets
us register FSPIOP's own protected-header parameters instead of smuggling them). The FSPIOP
`FSPIOP-Signature` header is `{"signature": ..., "protectedHeader": ...}` over the body, with
FSPIOP-URI, FSPIOP-HTTP-Method, FSPIOP-Source, FSPIOP-Destination and Date in the protected
header, so a signature cannot be moved to another URI, method or participant. The key is the
partner's registered shared secret (HS256): Mojaloop schemes usually sign with RS256 and
certificates, which needs a key store we do not have yet (docs/design.md).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import OctKey
from joserfc.jws import JWSRegistry
from joserfc.registry import HeaderParameter

from corridors.signing import SignatureError, header

VERSION = "2.0"
SIGNATURE_HEADER = "FSPIOP-Signature"
DEFAULT_WINDOW_S = 300
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_SIGNED = ("FSPIOP-URI", "FSPIOP-HTTP-Method", "FSPIOP-Source", "FSPIOP-Destination", "Date")
_REGISTRY = JWSRegistry(
    header_registry={
        name: HeaderParameter(name, "str", name != "FSPIOP-Destination") for name in _SIGNED
    },
    algorithms=["HS256"],
)
ID_PREFIX = "rem_"

# FSPIOP error codes -> our failure reasons (and back for the simulator). 3208 and 3106 are
# not failures: "no such transfer" (never received, resend is safe) and "modified request"
# (it has one under that id: ask).
REASONS = {
    "3204": "INVALID_ACCOUNT",  # party not found
    "5400": "ACCOUNT_CLOSED",  # payee blocked
    "5200": "RECIPIENT_LIMIT_EXCEEDED",  # payee limit error
    "5100": "PAYEE_REJECTED",
    "5104": "PAYEE_REJECTED",
    "5106": "UNSUPPORTED_CURRENCY",
    "3303": "TRANSFER_EXPIRED",
    "5105": "PAYEE_FSP_REJECTED",
}
ERROR_CODE = {
    "INVALID_ACCOUNT": "3204",
    "ACCOUNT_CLOSED": "5400",
    "RECIPIENT_LIMIT_EXCEEDED": "5200",
    "PAYEE_REJECTED": "5104",
}
TRANSFER_NOT_FOUND = "3208"
MODIFIED_REQUEST = "3106"
TRANSIENT = frozenset({"2001", "2003", "2004"})  # server error, service unavailable, timeout


def reason_of(code: str) -> str:
    return REASONS.get(code, f"FSPIOP_{code}")


# -- identifiers and amounts ----------------------------------------------------------------


def _ulid(value: int) -> str:
    out = []
    for _ in range(26):
        value, digit = divmod(value, 32)
        out.append(_CROCKFORD[digit])
    return "".join(reversed(out))


def transfer_id(payout_id: str) -> str:
    """Our 128-bit payout id written as a ULID (CorrelationId allows UUID or ULID), so the
    transfer id of a callback leads back to the payout with no lookup table."""
    digits = payout_id.removeprefix(ID_PREFIX)
    if len(digits) == 32 and all(c in "0123456789abcdef" for c in digits):
        return _ulid(int(digits, 16))
    return _ulid(int.from_bytes(hashlib.sha256(payout_id.encode()).digest()[:16], "big"))


def payout_id_of(transfer: str) -> str | None:
    """Inverse of transfer_id for our ids; None for a ULID that is not one of ours."""
    if len(transfer) != 26 or any(c not in _CROCKFORD for c in transfer):
        return None
    value = 0
    for c in transfer:
        value = value * 32 + _CROCKFORD.index(c)
    if value >= 1 << 128:
        return None
    return f"{ID_PREFIX}{value:032x}"


def derived_id(kind: str, payout_id: str) -> str:
    """A stable ULID for the quote (or transaction) of a payout: asking again is the same ask."""
    digest = hashlib.sha256(f"{kind}:{payout_id}".encode()).digest()[:16]
    return _ulid(int.from_bytes(digest, "big"))


def amount(value: str | Decimal) -> str:
    """FSPIOP Amount: no exponent, no trailing zeros ("118.50" -> "118.5", "100.00" -> "100")."""
    number = Decimal(value)
    text = format(number.normalize(), "f")
    return text


def fsp_datetime(moment: datetime) -> str:
    """FSPIOP DateTime: milliseconds and an explicit zone."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def http_date(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC), usegmt=True)


# -- ILP-style condition and fulfilment --------------------------------------------------------


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def fulfilment_for(secret: bytes, transaction: str) -> str:
    """The payee's preimage: only the holder of `secret` can produce it."""
    return b64url(hmac.new(secret, b"ilp-fulfilment:" + transaction.encode(), "sha256").digest())


def condition_of(fulfilment: str) -> str:
    """The condition is the SHA-256 of the fulfilment (32 bytes, base64url, 43 characters)."""
    return b64url(hashlib.sha256(_unb64url(fulfilment)).digest())


def fulfils(fulfilment: str, condition: str) -> bool:
    try:
        return hmac.compare_digest(condition_of(fulfilment), condition)
    except (ValueError, TypeError):
        return False


def ilp_packet(transaction: Mapping[str, Any]) -> str:
    """The transaction the condition is bound to, base64url JSON (a stand-in for the OER ILP
    Prepare packet: same role, simpler bytes)."""
    return b64url(json.dumps(transaction, sort_keys=True, separators=(",", ":")).encode())


# -- headers and signatures -----------------------------------------------------------------


def content_type(resource: str) -> str:
    return f"application/vnd.interoperability.{resource}+json;version={VERSION}"


def headers(
    *,
    resource: str,
    method: str,
    uri: str,
    source: str,
    destination: str | None,
    body: bytes,
    secret: bytes,
    now: datetime,
    request: bool,
) -> dict[str, str]:
    """FSPIOP headers for a request (Accept) or a callback (no Accept), signed."""
    out = {
        "Content-Type": content_type(resource),
        "Date": http_date(now),
        "FSPIOP-Source": source,
        "FSPIOP-URI": uri,
        "FSPIOP-HTTP-Method": method,
    }
    if destination:
        out["FSPIOP-Destination"] = destination
    if request:
        out["Accept"] = content_type(resource)
    out[SIGNATURE_HEADER] = sign(secret, out, body)
    return out


def sign(secret: bytes, values: Mapping[str, str], body: bytes) -> str:
    protected = {"alg": "HS256", **{k: values[k] for k in _SIGNED if k in values}}
    token = jws.serialize_compact(protected, body, OctKey.import_key(secret), registry=_REGISTRY)
    header, _, signature = token.split(".")
    return json.dumps({"signature": signature, "protectedHeader": header})


def verify(
    secrets: Sequence[bytes],
    headers: Mapping[str, str],
    body: bytes,
    *,
    method: str,
    uri: str,
    now: datetime,
    window_s: int = DEFAULT_WINDOW_S,
) -> str:
    """Check the JWS against any of `secrets`, that its protected header names this very
    method and URI and the FSPIOP headers sent, and that Date is within the window. Returns the
    FSPIOP-Source; raises SignatureError with a short reason."""
    if not secrets:
        raise SignatureError("no_secrets")
    raw = header(headers, SIGNATURE_HEADER)
    source = header(headers, "FSPIOP-Source")
    date = header(headers, "Date")
    if raw is None:
        raise SignatureError("missing_signature")
    if not source or not date:
        raise SignatureError("missing_fspiop_headers")
    try:
        moment = parsedate_to_datetime(date)
    except (TypeError, ValueError) as exc:
        raise SignatureError("bad_date") from exc
    if moment.tzinfo is None or abs((now - moment).total_seconds()) > window_s:
        raise SignatureError("stale_date")
    try:
        parts = json.loads(raw)
        token = f"{parts['protectedHeader']}.{b64url(body)}.{parts['signature']}"
    except (ValueError, KeyError, TypeError) as exc:
        raise SignatureError("bad_signature_format") from exc
    protected = None
    for secret in secrets:
        try:
            protected = jws.deserialize_compact(
                token, OctKey.import_key(secret), registry=_REGISTRY
            ).headers()
            break
        except (JoseError, ValueError):
            continue
    if protected is None:
        raise SignatureError("signature_mismatch")
    sent = {"FSPIOP-URI": uri, "FSPIOP-HTTP-Method": method, "FSPIOP-Source": source, "Date": date}
    destination = header(headers, "FSPIOP-Destination")
    if destination:
        sent["FSPIOP-Destination"] = destination
    if any(protected.get(k) != v for k, v in sent.items()):
        raise SignatureError("signed_headers_mismatch")
    return source


# -- callbacks meeting their requests ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Callback:
    """One PUT callback: `error` for the /error variant."""

    resource: str
    """"parties/MSISDN/+2547...", "quotes/<id>", "transfers/<id>"."""
    body: dict[str, Any]
    error: bool = False

    @property
    def error_code(self) -> str | None:
        info = self.body.get("errorInformation") if self.error else None
        return str(info.get("errorCode")) if isinstance(info, dict) else None


@dataclass
class CallbackHub:
    """Where a request waits for its callback (one process). A callback nobody waits for is
    dropped here; a transfer's final state is also recorded by the gateway, so a callback that
    lands in another process, or after the wait, still settles the payout."""

    _waiting: dict[str, list[asyncio.Future[Callback]]] = field(default_factory=dict)

    def expect(self, resource: str) -> asyncio.Future[Callback]:
        future: asyncio.Future[Callback] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(resource, []).append(future)
        return future

    def forget(self, resource: str, future: asyncio.Future[Callback]) -> None:
        waiting = self._waiting.get(resource, [])
        if future in waiting:
            waiting.remove(future)
        if not waiting:
            self._waiting.pop(resource, None)

    def deliver(self, callback: Callback) -> bool:
        """True when a request was waiting for it."""
        waiting = self._waiting.pop(callback.resource, [])
        for future in waiting:
            if not future.done():
                future.set_result(callback)
        return bool(waiting)


def error_body(code: str, description: str) -> dict[str, Any]:
    return {"errorInformation": {"errorCode": code, "errorDescription": description[:128]}}
