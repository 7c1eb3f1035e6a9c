"""`remit partners rotate-secret`: the new secret signs at once, the old one verifies only for
the overlap."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

from gateway.commands import main
from tests.partners_support import stored_partner


async def _secrets(url: str, at: datetime) -> tuple[bytes, ...]:
    return (await stored_partner(url, "acme", at)).secrets


async def test_rotation_keeps_the_old_secret_for_the_overlap_only(
    migrated_database_url, monkeypatch, capsys
) -> None:
    monkeypatch.setenv("REMIT_DATABASE_URL", migrated_database_url)
    add = ["partners", "add", "acme", "--url", "http://127.0.0.1:9", "--secret", "old-secret"]
    assert await asyncio.to_thread(main, add) == 0
    rotate = ["partners", "rotate-secret", "acme", "--overlap-hours", "1"]
    assert await asyncio.to_thread(main, rotate) == 0
    shown = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    new = shown["secret"].encode()
    assert new != b"old-secret" and len(new) >= 32
    now = datetime.now(UTC)
    assert await _secrets(migrated_database_url, now) == (new, b"old-secret")
    assert await _secrets(migrated_database_url, now + timedelta(hours=2)) == (new,)
    unknown = ["partners", "rotate-secret", "nobody"]
    assert await asyncio.to_thread(main, unknown) == 1
