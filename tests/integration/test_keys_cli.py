"""`remit keys create | list | revoke`: a revoked key is refused by a running gateway."""

from __future__ import annotations

import asyncio
import json

from gateway.api import middleware
from gateway.commands import main


def _json_lines(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


async def test_a_key_is_listed_without_its_secret_and_revoked_for_good(
    gateway, migrated_database_url, monkeypatch, capsys
) -> None:
    monkeypatch.setenv("REMIT_DATABASE_URL", migrated_database_url)
    # the gateway's cache would keep trusting the key for a few seconds; not in this test
    monkeypatch.setattr(middleware, "CALLER_CACHE_TTL_S", 0.0)
    create = ["keys", "create", "--name", "acme-app", "--role", "sender-app"]
    assert await asyncio.to_thread(main, create) == 0
    made = _json_lines(capsys.readouterr().out)[-1]
    headers = {"Authorization": f"Bearer {made['key']}"}
    assert (await gateway.client.get("/v1/corridors", headers=headers)).status == 200

    assert await asyncio.to_thread(main, ["keys", "list"]) == 0
    out = capsys.readouterr().out
    listed = {k["id"]: k for k in _json_lines(out)}
    assert made["key"] not in out  # the secret is never shown again
    assert listed[made["id"]]["name"] == "acme-app" and listed[made["id"]]["revoked_at"] is None
    assert made["key"].startswith(listed[made["id"]]["prefix"])

    assert await asyncio.to_thread(main, ["keys", "revoke", made["id"]]) == 0
    resp = await gateway.client.get("/v1/corridors", headers=headers)
    assert resp.status == 401 and (await resp.json())["detail"] == "unknown or revoked key"
    assert await asyncio.to_thread(main, ["keys", "revoke", made["id"]]) == 1  # already revoked
    assert await asyncio.to_thread(main, ["keys", "revoke", "key_nope"]) == 1
    assert await asyncio.to_thread(main, ["keys", "list"]) == 0
    again = {k["id"]: k for k in _json_lines(capsys.readouterr().out)}
    assert again[made["id"]]["revoked_at"] is not None
