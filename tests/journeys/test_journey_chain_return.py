"""Journey: a remittance paid to the partner on chain whose payout the partner then fails is
refunded only once the partner's coin comes back on chain. Paid on chain -> the partner fails
the payout (the remittance waits in `failed`, nothing refunded) -> the partner gives the coin back
with the remittance's reference (Settlement.give_back: a Returned event) -> the settler records
it, the refund proceeds, the sender gets the whole send amount back, once; the returned coin is
burnt on chain as in the ledger; `remit ledger check` and `remit chain reconcile` are clean.
Reading the events again from block 0 (a crash before the cursor moved) applies nothing twice.
On both engines: embedded and anvil.

Public interfaces: HTTP and the CLI; the partner is the simulator (it gives the coin back for
a payout it fails); the settler is stepped by the test.

On the old main the remittance waited in `failed` forever ("an operator settles it")."""

from __future__ import annotations

import asyncio
import json

import pytest
from sqlalchemy import delete, select

from corridors.simulator import STATE, set_coin_return
from gateway.chain import partner_returns
from ledger_adapter.evm.items import CURSORS, ITEMS, RETURNS
from tests.journeys.chain_support import cli, remittance_on_chain, wallet_usd


@pytest.fixture
def sim_faults() -> dict:
    # Every payout fails for good (a closed wallet), after the coin reached the partner.
    return {"seed": 5, "fail_rate": 1.0}


async def test_failed_payout_is_refunded_when_the_partner_gives_the_coin_back(
    gateway, monkeypatch, capsys, engine_env
) -> None:
    chain = await remittance_on_chain(gateway, monkeypatch, engine_env)
    rem, sender, handle, address = chain.rem, chain.sender, chain.handle, chain.address
    assert (await gateway.get(rem["id"]))["status"] == "in_transit"
    svc = gateway.svc
    sim = gateway.sim.server.app[STATE]
    set_coin_return(gateway.sim.server.app, partner_returns(handle, chain.partner_key))

    async def step() -> dict:
        await handle.settler.tick()
        await gateway.drain()
        await asyncio.gather(*list(sim.tasks))  # the partner's give-back, once it failed
        return await gateway.get(rem["id"])

    # Settled on chain, instructed, failed by the partner: the sender waits for the coin.
    for _ in range(10):
        current = await step()
        if current["status"] == "failed":
            break
    assert current["status"] == "failed", current["history"]
    assert current["chain_settlement"]["tx_hash"], "the coin left before the payout failed"
    assert current["history"][-1]["to"] == "failed"
    assert await wallet_usd(gateway, sender) == "400.00"  # nothing refunded yet
    await gateway.drain()  # the refund step runs again: still waiting, the coin is not back
    assert (await gateway.get(rem["id"]))["status"] == "failed"
    assert sim.payouts[rem["id"]].coin_returned  # the simulator gave it back on chain

    for _ in range(20):
        current = await step()
        async with svc.engine.connect() as conn:
            back = (await conn.execute(select(RETURNS))).all()
        if current["status"] == "refunded" and back and all(r.burn_tx for r in back):
            # the burn mined too
            await handle.settler.tick()
            if not (await _pending(handle)):
                break
    assert current["status"] == "refunded", current["history"]
    walked = [h["to"] for h in current["history"]]
    assert walked.index("failed") < walked.index("refunded")
    assert walked.count("refunded") == 1
    assert await wallet_usd(gateway, sender) == "500.00"  # principal and fee: all of it
    [ret] = back
    assert ret.status == "applied" and ret.remittance_id == rem["id"]
    assert ret.sender.lower() == address.lower()

    # A crash before the cursor moved: the events are read again from block 0, applied once.
    async with svc.engine.begin() as conn:
        await conn.execute(delete(CURSORS))
    assert await handle.settler.watch_returns() >= 1
    await gateway.drain()
    async with svc.engine.connect() as conn:
        assert len((await conn.execute(select(RETURNS))).all()) == 1
        [item] = (await conn.execute(select(ITEMS))).all()
    assert item.status == "returned"
    assert await wallet_usd(gateway, sender) == "500.00"

    assert await asyncio.to_thread(cli, gateway, monkeypatch, "ledger", "check") == 0
    capsys.readouterr()
    assert await asyncio.to_thread(cli, gateway, monkeypatch, "chain", "reconcile") == 0, (
        capsys.readouterr().err
    )
    capsys.readouterr()
    assert await asyncio.to_thread(cli, gateway, monkeypatch, "chain", "status") == 0
    status = json.loads(capsys.readouterr().out)
    assert status["returns_not_applied"] == []
    [usdc] = [c for c in status["coins"] if c["coin"] == "USDC"]
    assert usdc["total_supply"] == 0  # minted, paid, given back, burnt
    assert usdc["partners"][address] == 0
    # The books refunded the sender with this coin: it is not the operator's to send back.
    send_back = ("chain", "send-back", f"{ret.tx_hash}#{ret.log_index}", "--reason", "x")
    assert await asyncio.to_thread(cli, gateway, monkeypatch, *send_back) == 2
    assert "the books take this coin" in capsys.readouterr().err
    await handle.client.close()


async def _pending(handle) -> list:
    from ledger_adapter.evm.items import TXS

    async with handle.settler.engine.connect() as conn:
        return (await conn.execute(select(TXS).where(TXS.c.status.in_(("signed", "sent"))))).all()
