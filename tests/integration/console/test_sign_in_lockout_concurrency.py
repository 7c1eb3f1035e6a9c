"""The sign-in lockout holds under concurrency (#20): 25 wrong passwords for one username at
once get at most 5 password checks, on SQLite and PostgreSQL alike. Attempts are counted in one
statement before any password is checked. The checks are counted on the real argon2 hasher."""

from __future__ import annotations

import asyncio

import pytest
from argon2 import PasswordHasher

from gateway.storage import officers as store
from gateway.usecases import officers as sign_in
from tests.console_support import PASSWORD


class CountingHasher(PasswordHasher):
    """argon2 as used in production, counting the passwords it checks."""

    def __init__(self) -> None:
        super().__init__()
        self.checks = 0

    def verify(self, hash, password) -> bool:
        self.checks += 1
        return super().verify(hash, password)


@pytest.fixture
def hasher(monkeypatch) -> CountingHasher:
    counting = CountingHasher()
    monkeypatch.setattr(store, "PASSWORD_HASHER", counting)  # the module's test hook
    return counting


async def _attempt(svc, username: str, password: str) -> str:
    try:
        return "in" if await sign_in.login(svc, username, password) else "wrong"
    except sign_in.SignInLocked:
        return "locked"


@pytest.mark.parametrize("username", ["analyst", "nobody-by-this-name"])
async def test_25_simultaneous_wrong_passwords_check_at_most_5(
    gateway, officers, hasher, username
) -> None:
    svc = gateway.svc
    outcomes = await asyncio.gather(
        *(_attempt(svc, username, f"wrong-password-{i}") for i in range(25))
    )
    assert hasher.checks <= officers_limit()
    assert "in" not in outcomes and outcomes.count("wrong") <= officers_limit()
    # Locked now: even the right password is not checked.
    before = hasher.checks
    assert await _attempt(svc, username, PASSWORD) == "locked"
    assert hasher.checks == before


async def test_the_right_password_among_the_first_five_still_signs_in(
    gateway, officers, hasher
) -> None:
    svc = gateway.svc
    for i in range(4):
        assert await _attempt(svc, "analyst", f"wrong-{i}") == "wrong"
    assert await _attempt(svc, "analyst", PASSWORD) == "in"  # resets the count
    outcomes = await asyncio.gather(*(_attempt(svc, "analyst", f"w{i}") for i in range(10)))
    assert outcomes.count("wrong") == 5 and outcomes.count("locked") == 5
    assert hasher.checks == 4 + 1 + 5


async def test_the_lock_ends_after_its_time(gateway, officers, hasher) -> None:
    svc = gateway.svc
    await asyncio.gather(*(_attempt(svc, "analyst", f"w{i}") for i in range(8)))
    assert await _attempt(svc, "analyst", PASSWORD) == "locked"
    gateway.clock.advance(minutes=16)
    assert await _attempt(svc, "analyst", PASSWORD) == "in"


def officers_limit() -> int:
    return sign_in.SIGN_IN_LIMIT
