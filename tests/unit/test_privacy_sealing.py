"""Personal data at rest, without a database: the keyring (AES-GCM bound to row and column,
rotation, blind index) and where keys come from (a 0600 file beside SQLite, PostgreSQL refusing
to start without). The migrations and `remit keys rotate-data`:
tests/integration/test_privacy_at_rest.py."""

from __future__ import annotations

import os
import stat

import pytest

from gateway.commands import main
from gateway.storage.datakeys import (
    KEYS_ENV,
    Keyring,
    MissingDataKeys,
    UnreadableData,
    keyring_for,
    new_key_line,
    parse_keys,
)


def _ring(*lines: str) -> Keyring:
    keys = parse_keys(",".join(lines))
    return Keyring(keys, keys[-1][1])


def test_a_value_opens_only_in_its_row_and_column() -> None:
    ring = _ring(new_key_line("k1"))
    token = ring.seal(b"customers.name|cus_1", b"Ana Reyes")
    assert token.startswith("pii1:k1:") and "Ana" not in token
    assert ring.open(b"customers.name|cus_1", token) == b"Ana Reyes"
    for elsewhere in (b"customers.name|cus_2", b"customers.phone|cus_1"):
        with pytest.raises(UnreadableData):
            ring.open(elsewhere, token)
    tampered = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    with pytest.raises(UnreadableData):
        ring.open(b"customers.name|cus_1", tampered)


def test_a_token_opened_once_opens_again_without_aes_but_only_in_its_row() -> None:
    """The opened-token cache (a step re-reading its row) saves the AES-GCM call, and is keyed
    by the associated data too: the same token read as another row's still fails."""
    ring = _ring(new_key_line("k1"))
    token = _ring(*[f"k1:{ring.keys[0][1].hex()}"]).seal(b"t.c|1", b"Ana")  # not remembered
    calls = []
    aead = ring._aead["k1"]

    class Counting:
        def decrypt(self, *args):
            calls.append(args)
            return aead.decrypt(*args)

    ring._aead["k1"] = Counting()
    assert ring.open(b"t.c|1", token) == b"Ana" and len(calls) == 1
    assert ring.open(b"t.c|1", token) == b"Ana" and len(calls) == 1
    with pytest.raises(UnreadableData):
        ring.open(b"t.c|2", token)
    assert ring.seal(b"t.c|1", b"Ana") != token  # a fresh nonce: never the same token


def test_the_first_key_encrypts_all_decrypt_and_the_index_survives_rotation() -> None:
    old, new = new_key_line("k1"), new_key_line("k2")
    before, after = _ring(old), _ring(new, old)
    token = before.seal(b"t.c|1", b"x")
    assert after.open(b"t.c|1", token) == b"x"
    assert after.seal(b"t.c|1", b"x").startswith("pii1:k2:")
    assert before.index("phone", "+14155550123") == after.index("phone", "+14155550123")
    assert before.index("phone", "+14155550123") != before.index("external_id", "+14155550123")
    with pytest.raises(UnreadableData):
        _ring(new).open(b"t.c|1", token)  # a key no longer listed opens nothing


def test_sqlite_generates_a_0600_key_file_beside_the_database(tmp_path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'remit.db'}"
    ring = keyring_for(url, {})
    path = tmp_path / "remit.db.keys"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert ring.source == str(path)
    assert keyring_for(url, {}).index("x", "y") == ring.index("x", "y")


def test_postgresql_refuses_to_start_without_keys(monkeypatch, capsys) -> None:
    with pytest.raises(MissingDataKeys):
        keyring_for("postgresql+asyncpg://postgres@127.0.0.1/x", {})
    monkeypatch.delenv(KEYS_ENV, raising=False)
    monkeypatch.setenv("REMIT_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:1/nothing")
    assert main(["serve"]) == 2
    assert "REMIT_DATA_KEYS is not set" in capsys.readouterr().err
