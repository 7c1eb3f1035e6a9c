"""Journey: the partner gets a chain address (a sanctioned one is refused), three remittances
are converted, minted and paid to that address on the embedded chain in one settle()
transaction, one event each; every remittance shows its transaction hash and log index, the
instruction carried them, and `remit chain reconcile` is clean. A ledger row changed behind its
back, or coin moved on chain outside our records, makes it exit non-zero naming the difference.
Public interfaces: HTTP and the CLI; the settler is stepped by the test (in `remit serve` it is
a background task of one process).

On the old main no coin existed anywhere but in our ledger."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from decimal import Decimal

from eth_account import Account
from sqlalchemy import select, update

from gateway.chain import open_settler, wake_settled
from gateway.commands import main as remit
from ledger_adapter.evm.client import GAS
from ledger_adapter.evm.items import ITEMS
from ledger_adapter.evm.reconcile import reconcile
from ledger_adapter.sql import T as ledger_transfers
from tests.conftest import DEMO_PARTNER

SANCTIONED = "0x7Db418b5D567A4e0E8c59Ad71BE1FcE48f3E6107"  # SDN: Digital Currency Address - ETH


def _cli(gateway, monkeypatch, *argv: str) -> int:
    monkeypatch.setenv("REMIT_DATABASE_URL", gateway.svc.engine.url.render_as_string(False))
    return remit(list(argv))


async def test_partner_paid_on_chain_in_one_batch_and_reconciled(
    gateway, monkeypatch, capsys, engine_env
) -> None:
    refused = await asyncio.to_thread(
        _cli,
        gateway,
        monkeypatch,
        "partners",
        "update",
        DEMO_PARTNER,
        "--chain-address",
        SANCTIONED,
    )
    assert refused == 2
    assert "OFAC SDN" in capsys.readouterr().err
    address = Account.create().address
    args = ("partners", "update", DEMO_PARTNER, "--chain-address", address)
    assert await asyncio.to_thread(_cli, gateway, monkeypatch, *args) == 0

    sender = await gateway.customer()
    await gateway.top_up(sender["id"])
    rems = [await gateway.send("100.00", sender=sender) for _ in range(3)]
    await gateway.drain()
    for r in rems:  # the coin goes first: no instruction before the chain settled
        assert (await gateway.get(r["id"]))["status"] == "in_transit"
    from gateway.storage.tables import remittances

    async with gateway.svc.engine.connect() as conn:  # let go at in_transit: no step ran there
        rows = (await conn.execute(select(remittances.c.attempts, remittances.c.last_error))).all()
    assert {(r.attempts, r.last_error) for r in rows} == {(0, None)}

    svc = gateway.svc
    settings = replace(svc.settings, chain_window_s=0, **engine_env)
    handle = await open_settler(settings, svc.engine, lambda ids: wake_settled(svc, ids))
    for _ in range(20):
        await handle.settler.tick()
        async with svc.engine.connect() as conn:
            rows = (await conn.execute(select(ITEMS))).all()
        if rows and all(r.status == "settled" for r in rows):
            break
    await gateway.drain()

    finals = [await gateway.get(r["id"]) for r in rems]
    assert [f["status"] for f in finals] == ["paid_out"] * 3
    chain = [f["chain_settlement"] for f in finals]
    assert len({c["tx_hash"] for c in chain}) == 1, "one settle() for the partner's window"
    assert len({c["log_index"] for c in chain}) == 3
    assert all(c["to"] == address and c["coin"] == "USDC" for c in chain)
    for f in finals:
        [sent] = [h["reason"] for h in f["history"] if h["from"] == "in_transit"]
        assert f["chain_settlement"]["tx_hash"] in sent
    # The partner holds the coin, on chain and in the ledger alike.
    resp = await gateway.client.get(
        f"/v1/ledger/accounts/partner:{DEMO_PARTNER}:USDC", headers=gateway.auth("operator")
    )
    held = (await resp.json())["credit_balance"]
    assert Decimal(held) == sum(Decimal(c["amount"]) for c in chain)

    resp = await gateway.client.get("/metrics", headers=gateway.auth("operator"))
    scraped = await resp.text()
    assert "remit_chain_remittances_settled 3.0" in scraped
    assert "remit_chain_pending_transactions 0.0" in scraped
    assert "remit_chain_gas_used 0.0" not in scraped

    # The CLI rebuilds the embedded chain from our records and finds it equal to the books.
    assert await asyncio.to_thread(_cli, gateway, monkeypatch, "chain", "reconcile") == 0
    capsys.readouterr()

    # A ledger payout row changed behind its back: the chain no longer matches it.
    payout_id = f"{rems[0]['id']}:payout"
    async with svc.engine.begin() as conn:
        await conn.execute(
            update(ledger_transfers)
            .where(ledger_transfers.c.id == payout_id)
            .values(amount=ledger_transfers.c.amount + 1)
        )
    assert await asyncio.to_thread(_cli, gateway, monkeypatch, "chain", "reconcile") == 1
    assert payout_id.split(":")[0] in capsys.readouterr().err
    async with svc.engine.begin() as conn:
        await conn.execute(
            update(ledger_transfers)
            .where(ledger_transfers.c.id == payout_id)
            .values(amount=ledger_transfers.c.amount - 1)
        )

    # Coin minted on chain outside our records (the issuer key, behind our back).
    client = handle.client
    token = await _token(handle)
    tx = await client.sign(
        await client.next_nonce(),
        client.mint_data(address, 7),
        token,
        GAS["mint"],
        await client.fees(),
    )
    await client.send_raw(tx.raw, tx.hash)
    findings = await reconcile(svc.engine, client, svc.ledger)
    assert any("totalSupply" in f for f in findings), findings
    assert any(address.lower() in f and "balanceOf" in f for f in findings), findings
    await client.close()


async def _token(handle) -> str:
    from ledger_adapter.evm.settler import contracts

    client = handle.client
    async with handle.settler.engine.connect() as conn:
        known = await contracts(conn, await client.chain_id(), client.address)
    return known["USDC"].token
