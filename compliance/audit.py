"""The audit trail's hash chain: each entry's hash covers its fields and the previous hash, and
the head is anchored with an HMAC so that a rewritten chain or a cut tail is detected too."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64
FIELDS = ("seq", "at", "actor", "action", "object_id", "before", "after")


def entry_hash(prev_hash: str, entry: Mapping[str, Any]) -> str:
    body = json.dumps(
        {k: entry.get(k) for k in FIELDS}, sort_keys=True, separators=(",", ":"), default=str
    )
    return hashlib.sha256(f"{prev_hash}|{body}".encode()).hexdigest()


def anchor_mac(key: bytes | None, seq: int, head: str) -> str | None:
    if not key:
        return None
    return hmac.new(key, f"{seq}:{head}".encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Anchor:
    seq: int
    hash: str
    mac: str | None


@dataclass(frozen=True)
class Finding:
    """The first thing wrong with the chain; `seq` names the entry (or the anchor when None)."""

    seq: int | None
    problem: str

    def __str__(self) -> str:
        where = f"entry {self.seq}" if self.seq is not None else "anchor"
        return f"{where}: {self.problem}"


def verify(
    entries: Iterable[Mapping[str, Any]], anchor: Anchor | None, key: bytes | None
) -> Finding | None:
    """Walk the chain in seq order; None when every entry and the anchor check out."""
    prev, expected_seq = GENESIS, 1
    for entry in entries:
        seq = entry["seq"]
        if seq != expected_seq:
            return Finding(expected_seq, f"missing (next stored entry is {seq})")
        if entry["prev_hash"] != prev:
            return Finding(seq, "does not link to the previous entry")
        if entry_hash(prev, entry) != entry["hash"]:
            return Finding(seq, "content does not match its hash (changed)")
        prev, expected_seq = entry["hash"], seq + 1
    last = expected_seq - 1
    if anchor is None:
        return None if last == 0 else Finding(None, "missing while entries exist")
    if anchor.seq != last or anchor.hash != prev:
        cut = anchor.seq > last
        return Finding(
            last + 1 if cut else None,
            f"anchor names entry {anchor.seq} but the chain ends at {last}"
            + (" (tail removed)" if cut else ""),
        )
    if key and not hmac.compare_digest(anchor.mac or "", anchor_mac(key, anchor.seq, prev) or ""):
        return Finding(None, "HMAC does not match (chain rewritten or key changed)")
    return None
