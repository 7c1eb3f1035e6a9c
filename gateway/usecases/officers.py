"""Officer accounts, API tokens and console sessions; every change is audited (ids only)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.services import Services, utc_now
from gateway.storage import audit
from gateway.storage import officers as store
from gateway.storage.keys import Caller

SESSION_TTL = timedelta(hours=8)


async def add_officer(
    engine: AsyncEngine, username: str, role: str, password: str, hmac_key: bytes | None
) -> str:
    now = utc_now()
    async with engine.begin() as conn:
        officer_id = await store.add_officer(conn, username, role, password, now)
        await audit.append(
            conn,
            key=hmac_key,
            at=now,
            actor="cli",
            action="officer.add",
            object_id=officer_id,
            after={"role": role},
        )
    return officer_id


async def create_api_token(engine: AsyncEngine, username: str, hmac_key: bytes | None) -> str:
    now = utc_now()
    async with engine.begin() as conn:
        row = await store.by_username(conn, username)
        if row is None:
            raise ValueError(f"no active officer {username}")
        token, _ = await store.issue_token(conn, row.id, "api", now)
        await audit.append(
            conn, key=hmac_key, at=now, actor="cli", action="officer.token", object_id=row.id
        )
    return token


async def login(svc: Services, username: str, password: str) -> tuple[str, str] | None:
    """A new console session (secret, CSRF token) for the right password, else None."""
    now = svc.now()
    async with svc.engine.begin() as conn:
        row = await store.check_password(conn, username, password)
        if row is None:
            return None
        session = await store.issue_token(conn, row.id, "session", now, now + SESSION_TTL)
        await audit.append(
            conn,
            key=svc.settings.audit_hmac_key,
            at=now,
            actor=row.id,
            action="officer.login",
            object_id=row.id,
        )
    return session[0], session[1] or ""


async def session_officer(svc: Services, secret: str) -> tuple[Caller, str] | None:
    """The officer (as a Caller) and the CSRF token of a live console session."""
    async with svc.engine.connect() as conn:
        row = await store.find_token(conn, secret, "session", svc.now())
    if row is None:
        return None
    return Caller(row.id, row.username, row.role, None), row.csrf_token


async def logout(svc: Services, secret: str) -> None:
    async with svc.engine.begin() as conn:
        await store.revoke_token(conn, secret, svc.now())


async def officer_names(svc: Services) -> dict[str, Any]:
    async with svc.engine.connect() as conn:
        return {row.id: row.username for row in await store.list_officers(conn)}
