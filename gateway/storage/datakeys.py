"""Personal-data keys: AES-256-GCM for values at rest, HMAC-SHA256 for blind indexes.

`REMIT_DATA_KEYS` is `id:key[,id:key...]` (32-byte keys, base64 or hex); the first encrypts,
all decrypt, so a new key goes first and `remit keys rotate-data` re-encrypts the rest under
it. Blind indexes use `REMIT_DATA_INDEX_KEY` when set, else the last key listed (the oldest):
an index must not change when the encryption key rotates, or every lookup would miss.

With no keys configured an SQLite database gets a generated key file beside it (`DB.keys`,
mode 0600), announced in the log; PostgreSQL refuses to start without keys, since a key kept
beside a shared database protects nothing.

Keys are derived once per process (HKDF) and their AESGCM/HMAC objects cached; a value costs
one AES-GCM call, never a key derivation. A token once opened (or sealed) in this process is
remembered with its associated data (`OPENED`, most recent first out last): a row read again by
the next step of the same remittance opens without another AES-GCM call. The cache key is the
pair (associated data, token), so a token moved to another row or column still fails; a token
is never reused (random nonce), so a rewritten value is a new entry."""

from __future__ import annotations

import base64
import binascii
import hmac
import os
import secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import structlog
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy.engine import make_url

log = structlog.get_logger("gateway.datakeys")

KEYS_ENV = "REMIT_DATA_KEYS"
INDEX_ENV = "REMIT_DATA_INDEX_KEY"
# "off" stores personal data in plain text: for the benchmark's comparison run only.
ENCRYPTION_ENV = "REMIT_DATA_ENCRYPTION"
PREFIX = "pii1"  # ciphertext tokens: pii1:<key id>:<base64url(nonce | ciphertext | tag)>
PLAIN_PREFIX = "plain1:"  # what encryption "off" stores
NONCE = 12
OPENED = 8192  # tokens remembered opened, per keyring


class MissingDataKeys(RuntimeError):
    """PostgreSQL without REMIT_DATA_KEYS, or a malformed key list."""


class UnreadableData(ValueError):
    """A ciphertext that does not open: wrong key, tampered, or moved to another row/column."""


def _derive(master: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(master)


def _decode_key(text: str) -> bytes:
    text = text.strip()
    try:
        raw = bytes.fromhex(text) if len(text) == 64 else base64.b64decode(text + "==", b"-_")
    except (ValueError, binascii.Error) as exc:
        raise MissingDataKeys("a data key is neither hex nor base64") from exc
    if len(raw) != 32:
        raise MissingDataKeys(f"a data key must be 32 bytes, not {len(raw)}")
    return raw


def parse_keys(text: str) -> list[tuple[str, bytes]]:
    """`id:key,id:key` -> [(id, key)], first first."""
    keys = []
    for item in text.replace("\n", ",").split(","):
        if not item.strip():
            continue
        key_id, sep, value = item.strip().partition(":")
        if not sep or not key_id or not key_id.isalnum():
            raise MissingDataKeys(f"{KEYS_ENV} entries are id:key with an alphanumeric id")
        keys.append((key_id, _decode_key(value)))
    if not keys:
        raise MissingDataKeys(f"{KEYS_ENV} names no key")
    if len({k for k, _ in keys}) != len(keys):
        raise MissingDataKeys(f"{KEYS_ENV} names a key id twice")
    return keys


def new_key_line(key_id: str = "k1") -> str:
    return f"{key_id}:{base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip('=')}"


@dataclass
class Keyring:
    """The process's data keys. `seal`/`open` take the associated data that binds a value to
    its table, column and row; `index` is the blind index of a normalised value."""

    keys: list[tuple[str, bytes]] = field(repr=False)
    index_master: bytes = field(repr=False)
    source: str = "env"
    encrypt: bool = True

    def __post_init__(self) -> None:
        self._aead = {k: AESGCM(_derive(v, b"remit personal data v1")) for k, v in self.keys}
        self.current = self.keys[0][0]
        self._current_aead = self._aead[self.current]
        self._mac = hmac.new(
            _derive(self.index_master, b"remit blind index v1"), digestmod="sha256"
        )
        self._opened: dict[tuple[bytes, str], bytes] = {}

    def _remember(self, aad: bytes, token: str, plaintext: bytes) -> None:
        opened = self._opened
        if len(opened) >= OPENED:
            try:
                del opened[next(iter(opened))]  # the oldest entry
            except (KeyError, RuntimeError, StopIteration):
                opened.clear()
        opened[(aad, token)] = plaintext

    @property
    def key_ids(self) -> list[str]:
        return [k for k, _ in self.keys]

    def seal(self, aad: bytes, plaintext: bytes) -> str:
        if not self.encrypt:
            return PLAIN_PREFIX + plaintext.decode()
        nonce = os.urandom(NONCE)
        sealed = self._current_aead.encrypt(nonce, plaintext, aad)
        token = f"{PREFIX}:{self.current}:" + base64.urlsafe_b64encode(nonce + sealed).decode()
        token = token.rstrip("=")
        self._remember(aad, token, plaintext)
        return token

    def open(self, aad: bytes, token: str) -> bytes:
        known = self._opened.get((aad, token))
        if known is not None:
            return known
        if token.startswith(PLAIN_PREFIX):
            return token[len(PLAIN_PREFIX) :].encode()
        prefix, _, rest = token.partition(":")
        key_id, _, body = rest.partition(":")
        aead = self._aead.get(key_id)
        if prefix != PREFIX or aead is None:
            raise UnreadableData(f"not sealed under a known key ({prefix}:{key_id})")
        try:
            raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
            plaintext = aead.decrypt(raw[:NONCE], raw[NONCE:], aad)
        except (InvalidTag, ValueError, binascii.Error) as exc:
            raise UnreadableData(
                "ciphertext does not open here (moved, tampered or wrong key)"
            ) from exc
        self._remember(aad, token, plaintext)
        return plaintext

    def index(self, purpose: str, normalised: str) -> str:
        """HMAC-SHA256 of `purpose` and the normalised value, 32 hex digits: equal values find
        each other, and the index says nothing of the value without the key."""
        mac = self._mac.copy()
        mac.update(purpose.encode() + b"\x00" + normalised.encode())
        return mac.hexdigest()[:32]

    @staticmethod
    def key_id_of(token: str) -> str | None:
        if token.startswith(PLAIN_PREFIX):
            return None
        return token.split(":", 2)[1] if token.startswith(PREFIX + ":") else None


_cache: dict[tuple, Keyring] = {}
_lock = threading.Lock()


def key_file_for(url: str) -> Path | None:
    """Where the embedded default keeps its generated key: beside the SQLite file."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database).resolve().with_name(Path(database).name + ".keys")


def _generated_file(path: Path) -> str:
    """Read the key file, creating it (0600, exclusively, so two processes agree) if absent."""
    if not path.exists():
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as out:
                out.write(new_key_line() + "\n")
            log.warning(
                "data_key_generated",
                path=str(path),
                detail=f"personal data is encrypted with a key generated into {path} (0600); "
                f"set {KEYS_ENV} in production and keep the key away from the database",
            )
    return path.read_text()


def keyring_for(url: str, env: Mapping[str, str] | None = None) -> Keyring:
    """The keyring for a database URL and the environment; built once per process."""
    env = os.environ if env is None else env
    configured = env.get(KEYS_ENV) or ""
    index = env.get(INDEX_ENV) or ""
    encrypt = (env.get(ENCRYPTION_ENV) or "on").strip().lower() not in {"off", "0", "false"}
    path = None if configured else key_file_for(url)
    cache_key = (configured, index, encrypt, str(path) if path else None, bool(configured))
    if not configured and path is None:
        if make_url(url).get_backend_name() != "sqlite":
            raise MissingDataKeys(
                f"{KEYS_ENV} is not set: a PostgreSQL deployment needs its personal-data keys "
                "from the environment (id:base64key[,id:key...])"
            )
        cache_key = (url, index, encrypt, "memory", False)  # in-memory SQLite: a key per URL
    with _lock:
        ring = _cache.get(cache_key)
        if ring is not None:
            return ring
        if configured:
            keys, source = parse_keys(configured), "env"
        elif path is not None:
            keys, source = parse_keys(_generated_file(path)), str(path)
            log.info("data_keys_from_file", path=str(path))
        else:
            keys, source = parse_keys(new_key_line()), "memory"
        master = _decode_key(index) if index else keys[-1][1]
        ring = Keyring(keys, master, source, encrypt)
        if not encrypt:
            log.warning("data_encryption_off", detail="personal data is stored in plain text")
        _cache[cache_key] = ring
        return ring
