"""A stable key for "the same payout account in the same corridor", whoever sends: what AML
rules (fan-in, new recipient) count by. A digest, so neither evidence nor logs carry the account
number itself."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

# Recipient fields that only describe, never identify, the payout account.
NOT_ACCOUNT = frozenset({"name", "wallet_provider"})


def recipient_key(corridor_id: str, recipient: Mapping[str, Any]) -> str:
    """The same payout account in the same corridor, whoever sends: a digest, so neither
    evidence nor logs carry the account number itself."""
    parts = sorted(f"{k}={v}" for k, v in recipient.items() if k not in NOT_ACCOUNT and v)
    text = "|".join([corridor_id, *parts])
    return "rcp_" + hashlib.sha256(text.encode()).hexdigest()[:24]
