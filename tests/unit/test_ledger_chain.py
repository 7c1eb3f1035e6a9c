"""The hashed form of a journal row stays byte for byte what json.dumps writes, so chains
written before and after a change to how it is built verify alike."""

from __future__ import annotations

import hashlib
import json

from hypothesis import given
from hypothesis import strategies as st

from ledger_adapter.chain import canonical, chain_hash
from ledger_adapter.port import Transfer

text = st.text(max_size=40)  # any code point: quotes, backslashes, controls, emoji
big = st.integers(min_value=-(2**63), max_value=2**63 - 1)


@given(
    id=text,
    kind=text,
    debit=text,
    credit=text,
    amount=big,
    asset=text,
    pending=st.none() | text,
    timeout=st.none() | big,
    expires=st.none() | big,
    code=text,
    created=big,
    seq=big,
)
def test_canonical_is_the_compact_json_array(
    id, kind, debit, credit, amount, asset, pending, timeout, expires, code, created, seq
) -> None:
    t = Transfer(
        id, kind, debit, credit, amount, asset, pending, timeout, expires, code, created, seq
    )
    fields = [seq, id, kind, debit, credit, amount, asset, pending, timeout, expires, code, created]
    expected = json.dumps(fields, separators=(",", ":"), ensure_ascii=False).encode()
    assert canonical(t) == expected


def test_a_known_row_keeps_its_known_hash() -> None:
    t = Transfer("t1", "posted", "a", "b", 100, "USD", created_us=1, seq=1)
    body = b'[1,"t1","posted","a","b",100,"USD",null,null,null,"",1]'
    assert canonical(t) == body
    assert chain_hash("0" * 64, t) == hashlib.sha256(b"0" * 64 + b"\n" + body).hexdigest()


def test_a_field_of_another_type_is_refused_not_written_differently() -> None:
    """json would write True as `true` and 1.0 as `1.0`: the row's hash would then disagree
    with what a verifier that reads the stored integer recomputes."""
    import pytest

    for bad in (True, 1.0):
        t = Transfer("t1", "posted", "a", "b", bad, "USD", created_us=1, seq=1)  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            canonical(t)
    with pytest.raises(TypeError):
        canonical(Transfer("t1", "posted", "a", "b", 1, 5, created_us=1, seq=1))  # type: ignore[arg-type]
