"""Operators inspect and check the ledger through the API and `remit ledger`."""

import json

import sqlalchemy as sa

from gateway.commands import main
from ledger_adapter import chart


async def test_account_route_shows_balance_and_history(gateway) -> None:
    sender = await gateway.customer()
    await gateway.top_up(sender["id"], "300.00")
    created = await gateway.send("100.00", sender=sender)
    await gateway.drain()
    wallet = chart.wallet(sender["id"], "USD")
    resp = await gateway.client.get(
        f"/v1/ledger/accounts/{wallet}", headers=gateway.auth("operator")
    )
    assert resp.status == 200
    body = await resp.json()
    assert body["credit_balance"] == "200.00"
    codes = [t["code"] for t in body["history"]]
    assert codes == ["topup", "fund"]
    assert body["history"][1]["id"].startswith(created["id"])
    denied = await gateway.client.get(f"/v1/ledger/accounts/{wallet}", headers=gateway.auth())
    assert denied.status == 403
    missing = await gateway.client.get(
        "/v1/ledger/accounts/nope:USD", headers=gateway.auth("operator")
    )
    assert missing.status == 404


async def test_ledger_check_command_finds_tampering(gateway, monkeypatch, capsys) -> None:
    sender = await gateway.customer()
    await gateway.top_up(sender["id"], "300.00")
    await gateway.send("100.00", sender=sender)
    await gateway.drain()
    monkeypatch.setenv("REMIT_DATABASE_URL", str(gateway.svc.engine.url.render_as_string(False)))
    capsys.readouterr()  # drop the pipeline's log lines
    assert await _run(["ledger", "check"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True
    usd = report["totals"]["USD"]
    assert usd["debits_posted"] == usd["credits_posted"] > 0
    # Rewrite one journal amount behind the ledger's back: the check must notice.
    async with gateway.svc.engine.begin() as conn:
        await conn.execute(
            sa.text("UPDATE ledger_transfers SET amount = amount + 1 WHERE code = 'topup'")
        )
    assert await _run(["ledger", "check"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False and report["findings"]
    async with gateway.svc.engine.begin() as conn:  # restore, so the fixture's final check passes
        await conn.execute(
            sa.text("UPDATE ledger_transfers SET amount = amount - 1 WHERE code = 'topup'")
        )


async def _run(argv: list[str]) -> int:
    """The CLI runs its own event loop; run it in a thread from this async test."""
    import asyncio

    return await asyncio.to_thread(main, argv)
