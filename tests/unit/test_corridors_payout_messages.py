"""The payout client's messages, without a partner: forged callbacks are refused, an instruction
refuses bad amounts (the client against the simulator:
tests/integration/test_corridors_payout.py)."""

from __future__ import annotations

import json

import pytest

from corridors.payout import PayoutInstruction, read_callback
from corridors.signing import SignatureError, signature_headers

SECRET = b"test-secret"


def instruction(n: int = 1, amount: str = "5000.00", callback_url: str | None = None):
    return PayoutInstruction(
        payout_id=f"po-{n}",
        remittance_id=f"rm-{n}",
        amount=amount,
        currency="PHP",
        recipient={"name": "Maria Dela Cruz", "phone": "+639171234567"},
        corridor_id="US-PH-WALLET",
        callback_url=callback_url,
    )


def test_read_callback_refuses_forgeries():
    body = json.dumps({"payout_id": "po-1", "status": "paid"}).encode()
    with pytest.raises(SignatureError):
        read_callback([SECRET], signature_headers(b"other", body, 100), body, 100)
    bad = b'{"payout_id": "po-1", "status": "refunded"}'
    with pytest.raises(ValueError):
        read_callback([SECRET], signature_headers(SECRET, bad, 100), bad, 100)
    nul = json.dumps({"payout_id": "po-1\u0000", "status": "paid"}).encode()
    with pytest.raises(ValueError, match="NUL"):
        read_callback([SECRET], signature_headers(SECRET, nul, 100), nul, 100)


def test_instruction_refuses_bad_amounts():
    for amount in ("abc", "-1", "NaN", "0"):
        with pytest.raises(ValueError):
            instruction(amount=amount)
    assert instruction().body() == instruction().body()
