"""Journey: coin a partner gives back for a remittance it has paid out is not the books' to
take. Paid on chain and paid out -> the partner gives the coin back anyway (a Returned event
with the remittance's reference) -> the remittance stays `paid_out`, the sender's wallet is
untouched and no coin is burnt -> `remit chain reconcile` exits 1 naming the return, held in
the treasury, and the command that settles it -> the operator runs `remit chain send-back
TX#LOG --reason ...` (audited) -> the chain's owner transfers the coin back to the partner ->
`remit chain reconcile` is clean again and the partner holds what it was paid. A return whose
remittance the books refund with it cannot be sent back. On both engines: embedded and anvil.

On the old main the return was applied and burnt on chain while the ledger kept the payout:
the chain's supply fell below the coin the ledger says the partner holds, and reconcile passed."""

from __future__ import annotations

import asyncio
import json

from sqlalchemy import select

from gateway.storage.tables_compliance import audit_log
from ledger_adapter.evm.items import ITEMS, RETURNS, TXS
from ledger_adapter.evm.settler import contracts
from tests.journeys.chain_support import cli, remittance_on_chain, wallet_usd


async def _rows(gateway, table) -> list:
    async with gateway.svc.engine.connect() as conn:
        return (await conn.execute(select(table))).all()


async def test_coin_given_back_after_a_payout_is_sent_back_by_the_operator(
    gateway, monkeypatch, capsys, engine_env
) -> None:
    chain = await remittance_on_chain(gateway, monkeypatch, engine_env)
    rem, sender, handle, address = chain.rem, chain.sender, chain.handle, chain.address

    async def step() -> dict:
        await handle.settler.tick()
        await gateway.drain()
        return await gateway.get(rem["id"])

    for _ in range(10):
        current = await step()
        if current["status"] == "paid_out":
            break
    assert current["status"] == "paid_out", current["history"]
    [item] = await _rows(gateway, ITEMS)
    paid = item.amount
    assert await handle.client.balance_of(await _token(handle, "USDC"), address) == paid

    # The partner gives the coin back although it paid the recipient.
    await handle.settler.partner_gives_back(chain.partner_key, rem["id"])
    for _ in range(6):
        await step()
    [ret] = await _rows(gateway, RETURNS)
    assert ret.status == "applied" and ret.remittance_id == rem["id"]
    assert ret.burn_tx is None  # the books never refunded it: nothing to burn
    assert not [t for t in await _rows(gateway, TXS) if t.purpose == "burn"]
    assert (await gateway.get(rem["id"]))["status"] == "paid_out"
    assert await wallet_usd(gateway, sender) == "400.00"
    assert await handle.client.balance_of(await _token(handle, "USDC"), address) == 0

    ref = f"{ret.tx_hash}#{ret.log_index}"
    capsys.readouterr()
    assert await asyncio.to_thread(cli, gateway, monkeypatch, "chain", "reconcile") == 1
    found = json.loads(capsys.readouterr().out)["findings"]
    [held] = [f for f in found if ret.tx_hash in f]
    assert "paid_out" in held and f"remit chain send-back {ref}" in held

    # Bad names and a missing reason are refused, and write nothing.
    bad = ("chain", "send-back", ret.tx_hash, "--reason", "partner paid twice")
    assert await asyncio.to_thread(cli, gateway, monkeypatch, *bad) == 2
    unknown = ("chain", "send-back", f"0x{'ab' * 32}#0", "--reason", "x")
    assert await asyncio.to_thread(cli, gateway, monkeypatch, *unknown) == 2
    blank = ("chain", "send-back", ref, "--reason", " ")
    assert await asyncio.to_thread(cli, gateway, monkeypatch, *blank) == 2
    [ret] = await _rows(gateway, RETURNS)
    assert ret.send_back_reason is None

    capsys.readouterr()
    args = ("chain", "send-back", ref, "--reason", "paid out; the partner returned it by mistake")
    assert await asyncio.to_thread(cli, gateway, monkeypatch, *args) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["remittance_id"] == rem["id"] and report["amount"] == paid
    assert report["to"].lower() == address.lower()
    again = await asyncio.to_thread(cli, gateway, monkeypatch, *args)
    assert again == 2  # already going back: never twice
    audit = [a for a in await _rows(gateway, audit_log) if a.action == "chain.send_back"]
    assert [a.object_id for a in audit] == [ref]

    for _ in range(6):
        await step()
    [ret] = await _rows(gateway, RETURNS)
    [back_tx] = [t for t in await _rows(gateway, TXS) if t.purpose == "send_back"]
    assert ret.send_back_tx == back_tx.hash and back_tx.status == "mined"
    assert await handle.client.balance_of(await _token(handle, "USDC"), address) == paid
    [item] = await _rows(gateway, ITEMS)
    assert item.status == "settled"  # the partner holds its coin again, as the books say
    assert (await gateway.get(rem["id"]))["status"] == "paid_out"
    assert await wallet_usd(gateway, sender) == "400.00"

    capsys.readouterr()
    assert await asyncio.to_thread(cli, gateway, monkeypatch, "chain", "reconcile") == 0, (
        capsys.readouterr().err
    )
    assert await asyncio.to_thread(cli, gateway, monkeypatch, "ledger", "check") == 0
    capsys.readouterr()
    assert await asyncio.to_thread(cli, gateway, monkeypatch, "chain", "status") == 0
    status = json.loads(capsys.readouterr().out)
    assert status["returns_sent_back"] == [
        {"return": ref, "tx_hash": back_tx.hash, "status": "mined"}
    ]
    await handle.client.close()


async def _token(handle, coin: str) -> str:
    async with handle.settler.engine.connect() as conn:
        known = await contracts(conn, await handle.client.chain_id(), handle.client.address)
    return known[coin].token
