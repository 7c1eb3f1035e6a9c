"""Idempotency keys, scoped to the calling API key: the first response is stored in the same
transaction as the work it describes, so a replay returns it and a refused request stores
nothing. The request's fingerprint is a keyed blind index (HMAC with the data index key) of the
method, path and canonical body: a replay compares equal, another body conflicts, and the
stored value says nothing of the names and numbers in the body without the key."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from gateway.errors import Conflict, key_reused
from gateway.storage.sealed import blind, row_value
from gateway.storage.tables import idempotency_keys
from ledger_adapter.sessions import reading

_INSERT_KEY = idempotency_keys.insert()  # built once: it is on every idempotent request

Action = Callable[[AsyncConnection], Awaitable[tuple[int, dict[str, Any]]]]


class IdempotencyMismatch(Conflict):
    """The key was used before with another request: wherever it surfaces, a 409
    `idempotency-key-reused` (gateway.errors.key_reused)."""

    def __init__(self, detail: str = "this Idempotency-Key was used with another request body"):
        reused = key_reused(detail)
        super().__init__(reused.slug, reused.title, reused.detail)


FINGERPRINT = "idempotency_request"  # the blind index's purpose
# Keys stored before privacy_0002 hold the blind index of the old unkeyed SHA-256 digest.
LEGACY_FINGERPRINT = "idempotency_sha256"


def canonical_request(method: str, path: str, body: Any) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return f"{method} {path}\n{canonical}"


def request_hash(engine: AsyncEngine, method: str, path: str, body: Any) -> str:
    """The request's fingerprint: the blind index of its canonical form (32 hex digits)."""
    return blind(engine, FINGERPRINT, canonical_request(method, path, body))


def same_request(engine: AsyncEngine, stored: str, method: str, path: str, body: Any) -> bool:
    """Whether a stored fingerprint is this request's (or, for a key stored before
    privacy_0002, the keyed form of its old unkeyed digest)."""
    canonical = canonical_request(method, path, body)
    if stored == blind(engine, FINGERPRINT, canonical):
        return True
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    return stored == blind(engine, LEGACY_FINGERPRINT, digest)


async def find(engine: AsyncEngine, api_key_id: str, key: str) -> sa.Row | None:
    async with reading(engine) as conn:
        return (
            await conn.execute(
                sa.select(idempotency_keys).where(
                    idempotency_keys.c.api_key_id == api_key_id, idempotency_keys.c.key == key
                )
            )
        ).first()


async def stored_answer(
    engine: AsyncEngine, api_key_id: str, key: str, method: str, path: str, body: Any
) -> tuple[int, dict[str, Any], bool] | None:
    """The answer stored under the key, if the request is the same one (IdempotencyMismatch if
    the key was used for another); None when nothing is stored."""
    row = await find(engine, api_key_id, key)
    if row is None:
        return None
    if not same_request(engine, row.request_hash, method, path, body):
        raise IdempotencyMismatch
    return row.status_code, row.response, True


async def run_once(
    engine: AsyncEngine,
    *,
    api_key_id: str,
    key: str,
    method: str,
    path: str,
    body: Any,
    now: datetime,
    action: Action,
) -> tuple[int, dict[str, Any], bool]:
    """Run `action` at most once per (caller, key). Returns (status, body, replayed)."""
    fingerprint = request_hash(engine, method, path, body)
    try:
        async with engine.begin() as conn:
            status, response = await action(conn)
            # Recorded last, with the answer, in the work's transaction: a concurrent duplicate
            # blocks on this key until we commit, then fails here and its work rolls back.
            record = {
                "api_key_id": api_key_id,
                "key": key,
                "method": method,
                "path": path,
                "request_hash": fingerprint,
                "status_code": status,
                "response": row_value((api_key_id, key), response),
                "created_at": now,
            }
            await conn.execute(_INSERT_KEY, record)
    except IntegrityError:
        stored = await stored_answer(engine, api_key_id, key, method, path, body)
        if stored is None:
            raise
        return stored
    return status, response, False
