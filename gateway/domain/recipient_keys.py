"""A stable key for "the same payout account in the same corridor", whoever sends: what AML
rules (fan-in, new recipient) count by. A keyed blind index (HMAC, `index`), so neither
evidence, logs nor a copy of the database carry the account number, and nobody without the key
can test a guessed account against it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

# Recipient fields that only describe, never identify, the payout account.
NOT_ACCOUNT = frozenset({"name", "wallet_provider"})


def account_text(corridor_id: str, recipient: Mapping[str, Any]) -> str:
    """The normalised account a recipient is paid to, in its corridor."""
    parts = sorted(f"{k}={v}" for k, v in recipient.items() if k not in NOT_ACCOUNT and v)
    return "|".join([corridor_id, *parts])


def recipient_key(
    corridor_id: str, recipient: Mapping[str, Any], index: Callable[[str, str], str]
) -> str:
    """The same payout account in the same corridor, whoever sends: `index(purpose, text)` is
    the keyed blind index (gateway.storage.datakeys.Keyring.index)."""
    return "rcp_" + index("recipient", account_text(corridor_id, recipient))[:24]
