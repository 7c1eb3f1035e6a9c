"""Officer accounts and their credentials: argon2 password hashes; API tokens and web sessions
stored as SHA-256 digests of random secrets."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from compliance.cases import OFFICER_ROLES
from gateway.domain.callers import Caller
from gateway.ids import new_id
from gateway.storage.keys import digest
from gateway.storage.tables_compliance import login_throttle, officer_tokens, officers

# The one hasher (argon2); a module attribute so a test can count the passwords it checks.
PASSWORD_HASHER = PasswordHasher()
# A hash to verify against when the username is unknown, so timing does not reveal which.
_DUMMY_HASH = PASSWORD_HASHER.hash("not-a-real-password")


async def add_officer(
    conn: AsyncConnection, username: str, role: str, password: str, now: datetime
) -> str:
    if role not in OFFICER_ROLES:
        raise ValueError(f"role must be one of {', '.join(OFFICER_ROLES)}")
    if len(password) < 10:
        raise ValueError("the password must have at least 10 characters")
    exists = await conn.scalar(sa.select(officers.c.id).where(officers.c.username == username))
    if exists:
        raise ValueError(f"officer {username} exists")
    officer_id = new_id("off")
    row = {"id": officer_id, "username": username, "role": role, "created_at": now}
    await conn.execute(
        officers.insert().values(**row, password_hash=PASSWORD_HASHER.hash(password))
    )
    return officer_id


async def by_username(conn: AsyncConnection, username: str) -> Any:
    return (
        await conn.execute(
            sa.select(officers).where(
                officers.c.username == username, officers.c.disabled_at.is_(None)
            )
        )
    ).first()


async def check_password(conn: AsyncConnection, username: str, password: str) -> Any:
    """The officer row when the password is right, else None (same work either way)."""
    row = await by_username(conn, username)
    try:
        PASSWORD_HASHER.verify(row.password_hash if row else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    return row


async def reserve_sign_in(
    conn: AsyncConnection, username: str, now: datetime, limit: int, lockout: timedelta
) -> tuple[int, datetime | None]:
    """Count this attempt before its password is checked: (its number in the current run of
    attempts, None) when it may check, or (0, until) when the username is locked.

    One statement (an upsert returning the count), so simultaneous attempts get distinct
    numbers on PostgreSQL and SQLite alike; the count only grows until a success clears it or
    the `limit`-th failure locks. Attempts numbered past `limit` are refused unchecked, as if
    locked: the attempts before them may all fail. An expired lock starts a new run."""
    t = login_throttle.c
    insert = (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(
        login_throttle
    )
    locked = t.locked_until > now
    row = (
        await conn.execute(
            insert.values(username=username, failures=1, locked_until=None, updated_at=now)
            .on_conflict_do_update(
                index_elements=[t.username],
                set_={
                    "failures": sa.case(
                        (locked, t.failures),
                        (t.locked_until.is_not(None), 1),  # the lock is over: a new run
                        else_=t.failures + 1,
                    ),
                    "locked_until": sa.case((locked, t.locked_until), else_=None),
                    "updated_at": now,
                },
            )
            .returning(t.failures, t.locked_until)
        )
    ).one()
    if row.locked_until is not None and row.locked_until > now:
        return 0, row.locked_until
    if row.failures > limit:
        return 0, now + lockout
    return row.failures, None


async def record_sign_in_failure(
    conn: AsyncConnection,
    username: str,
    attempt: int,
    now: datetime,
    limit: int,
    lockout: timedelta,
) -> datetime | None:
    """Attempt number `attempt` had a wrong password; the `limit`-th locks the username for
    `lockout`. Returns the end of the lockout it started, if any."""
    if attempt < limit:
        return None
    until = now + lockout
    await conn.execute(
        login_throttle.update()
        .where(login_throttle.c.username == username)
        .values(failures=0, locked_until=until, updated_at=now)
    )
    return until


async def clear_sign_in_failures(conn: AsyncConnection, username: str) -> None:
    await conn.execute(login_throttle.delete().where(login_throttle.c.username == username))


async def issue_token(
    conn: AsyncConnection,
    officer_id: str,
    kind: str,
    now: datetime,
    expires_at: datetime | None = None,
) -> tuple[str, str | None]:
    """A new secret (shown once) and, for sessions, its CSRF token."""
    secret = f"ro_{secrets.token_urlsafe(32)}"
    csrf = secrets.token_urlsafe(32) if kind == "session" else None
    await conn.execute(
        officer_tokens.insert().values(
            id=new_id("otk"),
            officer_id=officer_id,
            kind=kind,
            token_hash=digest(secret),
            csrf_token=csrf,
            created_at=now,
            expires_at=expires_at,
        )
    )
    return secret, csrf


async def find_token(conn: AsyncConnection, secret: str, kind: str, now: datetime) -> Any:
    """The officer behind a live token of `kind`, with the token's CSRF value."""
    row = (
        await conn.execute(
            sa.select(
                officers.c.id,
                officers.c.username,
                officers.c.role,
                officer_tokens.c.csrf_token,
                officer_tokens.c.expires_at,
            )
            .join(officers, officers.c.id == officer_tokens.c.officer_id)
            .where(
                officer_tokens.c.token_hash == digest(secret),
                officer_tokens.c.kind == kind,
                officer_tokens.c.revoked_at.is_(None),
                officers.c.disabled_at.is_(None),
            )
        )
    ).first()
    if row is None or (row.expires_at is not None and row.expires_at <= now):
        return None
    return row


async def revoke_token(conn: AsyncConnection, secret: str, now: datetime) -> None:
    await conn.execute(
        officer_tokens.update()
        .where(officer_tokens.c.token_hash == digest(secret))
        .values(revoked_at=now)
    )


async def find_officer_caller(conn: AsyncConnection, secret: str, now: datetime) -> Caller | None:
    """An officer API token as a Caller: key_id is the officer id, role the officer's role."""
    if not secret.startswith("ro_"):
        return None
    row = await find_token(conn, secret, "api", now)
    return Caller(row.id, row.username, row.role, None) if row else None


async def list_officers(conn: AsyncConnection) -> list[Any]:
    return list((await conn.execute(sa.select(officers).order_by(officers.c.username))).all())
