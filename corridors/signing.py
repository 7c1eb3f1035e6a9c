"""HMAC-SHA256 request/callback signatures with a replay window and rotatable secrets.

The signature covers "<timestamp>.<body>" so a captured message cannot be replayed once the
window (five minutes by default) has passed, nor its body swapped. During a secret rotation the
verifier holds both secrets and accepts either; the signer may send one `v1=` per secret.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence

TIMESTAMP_HEADER = "X-Remit-Timestamp"
SIGNATURE_HEADER = "X-Remit-Signature"
SCHEME = "v1"
DEFAULT_WINDOW_S = 300


class SignatureError(Exception):
    """A signature is missing, malformed, stale or wrong; `reason` is a short code."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


def sign(secret: bytes, timestamp: int, body: bytes) -> str:
    """Hex HMAC-SHA256 of b"<timestamp>." + body."""
    message = str(int(timestamp)).encode("ascii") + b"." + body
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def signature_headers(secret: bytes | Sequence[bytes], body: bytes, now: float) -> dict[str, str]:
    """Headers to send with `body`; several secrets give several `v1=` entries (rotation)."""
    timestamp = int(now)
    secrets = [secret] if isinstance(secret, bytes) else list(secret)
    value = ",".join(f"{SCHEME}={sign(s, timestamp, body)}" for s in secrets)
    return {TIMESTAMP_HEADER: str(timestamp), SIGNATURE_HEADER: value}


def header(headers: Mapping[str, str], name: str) -> str | None:
    """The value of header `name`, in whatever case the sender wrote it."""
    # aiohttp's CIMultiDict is case-insensitive already; plain dicts may use any case.
    value = headers.get(name)
    if value is None:
        lowered = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == lowered), None)
    return value


def verify(
    secrets: Sequence[bytes],
    headers: Mapping[str, str],
    body: bytes,
    now: float,
    window_s: int = DEFAULT_WINDOW_S,
) -> None:
    """Return if any `v1=` signature matches any secret within the window; else SignatureError.

    Reasons: missing_timestamp, bad_timestamp, stale_timestamp (outside ±window_s),
    missing_signature, bad_signature_format, signature_mismatch, no_secrets.
    """
    if not secrets:
        raise SignatureError("no_secrets")
    raw_ts = header(headers, TIMESTAMP_HEADER)
    if raw_ts is None:
        raise SignatureError("missing_timestamp")
    try:
        timestamp = int(raw_ts.strip())
    except ValueError as exc:
        raise SignatureError("bad_timestamp") from exc
    if abs(now - timestamp) > window_s:
        raise SignatureError("stale_timestamp")
    raw_sig = header(headers, SIGNATURE_HEADER)
    if raw_sig is None:
        raise SignatureError("missing_signature")
    candidates = []
    for part in raw_sig.split(","):
        scheme, sep, digest = part.strip().partition("=")
        if sep and scheme == SCHEME and digest and digest.isascii():
            candidates.append(digest.lower())
    if not candidates:
        raise SignatureError("bad_signature_format")
    expected = [sign(secret, timestamp, body) for secret in secrets]
    # compare every pair: no early exit that would leak which secret matched
    matched = False
    for digest in candidates:
        for good in expected:
            matched |= hmac.compare_digest(digest, good)
    if not matched:
        raise SignatureError("signature_mismatch")
