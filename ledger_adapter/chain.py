"""Hash chain over the journal (transfers in sequence order) and its HMAC anchor.

Each transfer's hash covers the previous hash and the row, so editing any row breaks every
later hash. A rewrite of the whole chain, or a cut tail, still yields a consistent chain; the
anchor (an HMAC of the head with a key the database never sees) detects both.
"""

from __future__ import annotations

import hashlib
import hmac
from json.encoder import encode_basestring as _str  # TypeError on non-str

from .port import Transfer

GENESIS = "0" * 64


def canonical(t: Transfer) -> bytes:
    """The hashed form of a row: every stored field, in a fixed order, as the compact JSON
    array `json.dumps(fields, separators=(",", ":"), ensure_ascii=False)` writes.

    Built by hand from the same string escaper json uses (the general encoder cost more than
    the hash itself, once per transfer). `_str` refuses non-strings and `_int` non-ints (bool
    included), as json would otherwise write them differently.
    """
    return (
        f"[{_int(t.seq)},{_str(t.id)},{_str(t.kind)},{_str(t.debit_account)},"
        f"{_str(t.credit_account)},{_int(t.amount)},{_str(t.asset)},"
        f"{'null' if t.pending_id is None else _str(t.pending_id)},"
        f"{'null' if t.timeout_s is None else _int(t.timeout_s)},"
        f"{'null' if t.expires_us is None else _int(t.expires_us)},"
        f"{_str(t.code)},{_int(t.created_us)}]"
    ).encode()


def _int(value: int) -> str:
    if type(value) is not int:
        raise TypeError(f"a journal field is {type(value).__name__}, not int")
    return int.__repr__(value)


def chain_hash(prev: str, t: Transfer) -> str:
    return hashlib.sha256(prev.encode() + b"\n" + canonical(t)).hexdigest()


def anchor_mac(key: bytes, seq: int, head: str) -> str:
    return hmac.new(key, f"{seq}:{head}".encode(), hashlib.sha256).hexdigest()


def verify_anchor(key: bytes, seq: int, head: str, mac: str) -> bool:
    return hmac.compare_digest(anchor_mac(key, seq, head), mac)
