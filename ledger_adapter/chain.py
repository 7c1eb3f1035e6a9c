"""Hash chain over the journal (transfers in sequence order) and its HMAC anchor.

Each transfer's hash covers the previous hash and the row, so editing any row breaks every
later hash. A rewrite of the whole chain, or a cut tail, still yields a consistent chain; the
anchor (an HMAC of the head with a key the database never sees) detects both.
"""

from __future__ import annotations

import hashlib
import hmac
from json.encoder import encode_basestring as _json_string

from .port import Transfer

GENESIS = "0" * 64


def canonical(t: Transfer) -> bytes:
    """The hashed form of a row: every stored field, in a fixed order, as the compact JSON
    array `json.dumps(fields, separators=(",", ":"), ensure_ascii=False)` writes.

    Built by hand from the same string escaper json uses: the general encoder cost more than
    the hash itself, once per transfer.
    """
    fields = (
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
    )
    return ("[" + ",".join(map(_json_value, fields)) + "]").encode()


def _json_value(value: str | int | None) -> str:
    if value is None:
        return "null"
    if type(value) is int:
        return int.__repr__(value)
    if type(value) is str:
        return _json_string(value)
    raise TypeError(f"a journal field is {type(value).__name__}, not str, int or None")


def chain_hash(prev: str, t: Transfer) -> str:
    return hashlib.sha256(prev.encode() + b"\n" + canonical(t)).hexdigest()


def anchor_mac(key: bytes, seq: int, head: str) -> str:
    return hmac.new(key, f"{seq}:{head}".encode(), hashlib.sha256).hexdigest()


def verify_anchor(key: bytes, seq: int, head: str, mac: str) -> bool:
    return hmac.compare_digest(anchor_mac(key, seq, head), mac)
