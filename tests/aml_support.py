"""Helpers for the AML tests: the facts of one transfer, complete unless a test says otherwise."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from compliance.aml import TransferFacts

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
COMPLETE_O = {"name", "account_number", "address"}
COMPLETE_B = {"name", "account_number"}


def facts(amount="100", **kw) -> TransferFacts:
    """A USD `amount` from US to PH, sender s1 to recipient r1, travel-rule data complete."""
    base = {
        "amount_usd": Decimal(amount),
        "send_country": "US",
        "receive_country": "PH",
        "sender_id": "s1",
        "recipient_key": "r1",
        "originator_fields": COMPLETE_O,
        "beneficiary_fields": COMPLETE_B,
    }
    base.update(kw)
    return TransferFacts(**base)
