"""Officer accounts, API tokens and console sessions; every change is audited (ids only)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.domain.callers import Caller
from gateway.services import Services, utc_now
from gateway.storage import officers as store
from gateway.usecases import audit_trail
from gateway.usecases.operator_audit import Operator
from ledger_adapter.sessions import autocommit, reading

SESSION_TTL = timedelta(hours=8)
SIGN_IN_LIMIT = 5  # failed console sign-ins in a row before the username is locked
SIGN_IN_LOCKOUT = timedelta(minutes=15)

log = structlog.get_logger("gateway.officers")


async def add_officer(
    engine: AsyncEngine, username: str, role: str, password: str, hmac_key: bytes | None
) -> str:
    now = utc_now()
    async with engine.begin() as conn:
        officer_id = await store.add_officer(conn, username, role, password, now)
        await Operator("cli", hmac_key).record(conn, now, "officer.add", officer_id, {"role": role})
    return officer_id


async def create_api_token(engine: AsyncEngine, username: str, hmac_key: bytes | None) -> str:
    now = utc_now()
    async with engine.begin() as conn:
        row = await store.by_username(conn, username)
        if row is None:
            raise ValueError(f"no active officer {username}")
        token, _ = await store.issue_token(conn, row.id, "api", now)
        await Operator("cli", hmac_key).record(conn, now, "officer.token", row.id)
    return token


class SignInLocked(Exception):
    """Too many failed sign-ins in a row for this username."""

    def __init__(self, until: datetime) -> None:
        super().__init__(f"locked until {until.isoformat()}")
        self.until = until


async def login(svc: Services, username: str, password: str) -> tuple[str, str] | None:
    """A new console session (secret, CSRF token) for the right password, else None.

    The SIGN_IN_LIMIT-th failure in a row locks the username for SIGN_IN_LOCKOUT, whether or
    not an officer has that name; while locked, even the right password is refused
    (SignInLocked), so guessing gains nothing."""
    now = svc.now()
    # The attempt is counted, and committed, before its password is checked: simultaneous
    # attempts cannot all read "not locked" and each check a password (#20).
    async with autocommit(svc.engine) as conn:
        attempt, until = await store.reserve_sign_in(
            conn, username, now, SIGN_IN_LIMIT, SIGN_IN_LOCKOUT
        )
    if until is not None:
        raise SignInLocked(until)
    async with svc.engine.begin() as conn:
        row = await store.check_password(conn, username, password)
        if row is None:
            until = await store.record_sign_in_failure(
                conn, username, attempt, now, SIGN_IN_LIMIT, SIGN_IN_LOCKOUT
            )
            if until is not None:
                log.warning("officer_sign_in_locked", until=until.isoformat())
            return None
        await store.clear_sign_in_failures(conn, username)
        session = await store.issue_token(conn, row.id, "session", now, now + SESSION_TTL)
        await audit_trail.record(svc, conn, now, row.id, "officer.login", row.id)
    return session[0], session[1] or ""


async def session_officer(svc: Services, secret: str) -> tuple[Caller, str] | None:
    """The officer (as a Caller) and the CSRF token of a live console session."""
    async with reading(svc.engine) as conn:
        row = await store.find_token(conn, secret, "session", svc.now())
    if row is None:
        return None
    return Caller(row.id, row.username, row.role, None), row.csrf_token


async def logout(svc: Services, secret: str) -> None:
    async with svc.engine.begin() as conn:
        await store.revoke_token(conn, secret, svc.now())


async def officer_names(svc: Services) -> dict[str, Any]:
    async with reading(svc.engine) as conn:
        return {row.id: row.username for row in await store.list_officers(conn)}
