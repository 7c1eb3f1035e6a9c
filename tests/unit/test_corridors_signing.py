"""HMAC signatures: round trip, replay window, tampering, rotation."""

import hashlib
import hmac

import pytest

from corridors.signing import SignatureError, sign, signature_headers, verify

OLD, NEW = b"old-secret", b"new-secret"
BODY = b'{"payout_id":"p1"}'
NOW = 1_700_000_000


def reason(secrets, headers, body=BODY, now=NOW, **kw) -> str:
    with pytest.raises(SignatureError) as info:
        verify(secrets, headers, body, now, **kw)
    return info.value.reason


def test_sign_is_hmac_sha256_over_timestamp_dot_body():
    expected = hmac.new(OLD, b"1700000000." + BODY, hashlib.sha256).hexdigest()
    assert sign(OLD, NOW, BODY) == expected


def test_headers_round_trip_and_case_insensitive_lookup():
    headers = signature_headers(OLD, BODY, NOW)
    assert headers == {
        "X-Remit-Timestamp": str(NOW),
        "X-Remit-Signature": f"v1={sign(OLD, NOW, BODY)}",
    }
    verify([OLD], headers, BODY, NOW + 299)
    verify([OLD], {k.lower(): v for k, v in headers.items()}, BODY, NOW - 299)


def test_replay_window():
    headers = signature_headers(OLD, BODY, NOW)
    assert reason([OLD], headers, now=NOW + 301) == "stale_timestamp"
    assert reason([OLD], headers, now=NOW - 301) == "stale_timestamp"
    assert reason([OLD], headers, now=NOW + 61, window_s=60) == "stale_timestamp"


def test_tampering_and_malformed_headers():
    headers = signature_headers(OLD, BODY, NOW)
    assert reason([OLD], headers, body=BODY + b" ") == "signature_mismatch"
    moved = {**headers, "X-Remit-Timestamp": str(NOW + 1)}
    assert reason([OLD], moved) == "signature_mismatch"
    assert reason([NEW], headers) == "signature_mismatch"
    assert reason([OLD], {"X-Remit-Signature": "v1=ab"}) == "missing_timestamp"
    assert reason([OLD], {**headers, "X-Remit-Timestamp": "soon"}) == "bad_timestamp"
    assert reason([OLD], {"X-Remit-Timestamp": str(NOW)}) == "missing_signature"
    assert reason([OLD], {**headers, "X-Remit-Signature": "v0=abc"}) == "bad_signature_format"
    assert reason([OLD], {**headers, "X-Remit-Signature": "v1=é"}) == "bad_signature_format"
    assert reason([], headers) == "no_secrets"


def test_rotation_overlap():
    old_signed = signature_headers(OLD, BODY, NOW)
    new_signed = signature_headers(NEW, BODY, NOW)
    verify([NEW, OLD], old_signed, BODY, NOW)
    verify([NEW, OLD], new_signed, BODY, NOW)
    both = signature_headers([NEW, OLD], BODY, NOW)
    assert both["X-Remit-Signature"].count("v1=") == 2
    verify([OLD], both, BODY, NOW)  # a verifier not yet rotated still accepts
    verify([NEW], both, BODY, NOW)
    assert reason([NEW], old_signed) == "signature_mismatch"  # overlap over: old refused
