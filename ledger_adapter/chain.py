"""Hash chain over the journal (transfers in sequence order) and its HMAC anchor.

Each transfer's hash covers the previous hash and the row, so editing any row breaks every
later hash. A rewrite of the whole chain, or a cut tail, still yields a consistent chain; the
anchor (an HMAC of the head with a key the database never sees) detects both.
"""

from __future__ import annotations

import hashlib
import hmac
import json

from .port import Transfer

GENESIS = "0" * 64


def canonical(t: Transfer) -> bytes:
    """The hashed form of a row: every stored field, in a fixed order."""
    return json.dumps(
        [
            t.seq,
            t.id,
            t.kind,
            t.debit_account,
            t.credit_account,
            t.amount,
            t.asset,
            t.pending_id,
            t.timeout_s,
            t.expires_us,
            t.code,
            t.created_us,
        ],
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode()


def chain_hash(prev: str, t: Transfer) -> str:
    return hashlib.sha256(prev.encode() + b"\n" + canonical(t)).hexdigest()


def anchor_mac(key: bytes, seq: int, head: str) -> str:
    return hmac.new(key, f"{seq}:{head}".encode(), hashlib.sha256).hexdigest()


def verify_anchor(key: bytes, seq: int, head: str, mac: str) -> bool:
    return hmac.compare_digest(anchor_mac(key, seq, head), mac)
