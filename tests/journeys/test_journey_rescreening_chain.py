"""Journey: re-screening meets a transfer settled on chain (the partner has a chain address;
the coin goes to it in the settlement window before the instruction). A coin still waiting for
its window stays home while the transfer is held (dropped from the batch) and, after the
officers' approval, is queued again, settled and paid out once, with `remit chain reconcile`
clean. A coin already sent to the partner's address cannot be called back by us: the
withdrawal waits for the partner's coins to come back, as a refund after a cancel does, and
the case says the transfer is being withdrawn. Embedded chain; public interfaces: HTTP, the
CLI; the settler is stepped by the test (in `remit serve` it runs in one process)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from decimal import Decimal

from eth_account import Account
from sqlalchemy import select

from gateway.chain import open_settler, wake_settled
from gateway.commands import main as remit
from gateway.usecases import rescreening, sanctions
from ledger_adapter.evm.items import ITEMS
from tests.conftest import DEMO_PARTNER
from tests.rescreening_support import (
    LISTED,
    case_view,
    cases_of,
    cli,
    decide,
    load_lists,
    send_from_wallet,
    wallet,
)


async def _item(gateway, remittance_id: str):
    async with gateway.svc.engine.connect() as conn:
        query = select(ITEMS).where(ITEMS.c.remittance_id == remittance_id)
        return (await conn.execute(query)).first()


async def _settle_window(gateway, handle, remittance_id: str) -> None:
    for _ in range(20):
        await handle.settler.tick()
        item = await _item(gateway, remittance_id)
        if item.status == "settled":
            return
    raise AssertionError(f"never settled: {item.status}")


async def _waiting_for_the_chain(gateway, capsys, monkeypatch, lists):
    await load_lists(gateway, capsys, monkeypatch, lists)
    address = Account.create().address
    args = ["partners", "update", DEMO_PARTNER, "--chain-address", address]
    assert await asyncio.to_thread(remit, args) == 0
    sender = await gateway.customer(external_id="s-chain")
    await gateway.top_up(sender["id"], "500.00")
    rem = await send_from_wallet(gateway, sender, LISTED)
    await gateway.drain()
    assert (await gateway.get(rem["id"]))["status"] == "in_transit"  # the coin goes first
    settings = replace(gateway.svc.settings, chain="embedded", chain_window_s=0)
    svc = gateway.svc
    handle = await open_settler(settings, svc.engine, lambda ids: wake_settled(svc, ids))
    return sender, rem, handle


async def _listed(gateway, capsys, lists, rem) -> object:
    assert (await cli(capsys, "sanctions", "load", str(lists[1])))[0] == 0
    assert await sanctions.refresh(gateway.svc)
    assert (await rescreening.run_to_end(gateway.svc)).held == 1
    assert (await gateway.get(rem["id"]))["status"] == "withdrawing"
    [case] = await cases_of(gateway, rem["id"])
    return case


async def test_a_coin_still_home_is_kept_while_held_and_settled_after_approval(
    gateway, officers, lists, monkeypatch, capsys
) -> None:
    sender, rem, handle = await _waiting_for_the_chain(gateway, capsys, monkeypatch, lists)
    try:
        case = await _listed(gateway, capsys, lists, rem)
        await gateway.drain()
        assert (await gateway.get(rem["id"]))["status"] == "on_hold"
        assert (await _item(gateway, rem["id"])).status == "dropped"
        await handle.settler.tick()  # the window passes: nothing of a held transfer leaves
        assert (await _item(gateway, rem["id"])).mint_tx is None

        await decide(gateway, officers, case.id, "approve", ("analyst", "supervisor"))
        await gateway.drain()
        assert (await gateway.get(rem["id"]))["status"] == "in_transit"
        assert (await _item(gateway, rem["id"])).status == "queued"
        await _settle_window(gateway, handle, rem["id"])
        await gateway.drain()
        done = await gateway.get(rem["id"])
        assert done["status"] == "paid_out" and done["chain_settlement"]["to"]
        assert [h["to"] for h in done["history"]].count("paid_out") == 1
        payouts = (await (await gateway.sim.get("/_sim/payouts")).json())["payouts"]
        assert payouts[rem["id"]]["payments"] == 1
        assert await wallet(gateway, sender["id"]) == Decimal("400.00")
    finally:
        await handle.client.close()
    assert await asyncio.to_thread(remit, ["chain", "reconcile"]) == 0


async def test_a_coin_already_sent_makes_the_hold_wait_for_its_return(
    gateway, officers, lists, monkeypatch, capsys
) -> None:
    sender, rem, handle = await _waiting_for_the_chain(gateway, capsys, monkeypatch, lists)
    try:
        await _settle_window(gateway, handle, rem["id"])  # at the partner's address, not paid
        case = await _listed(gateway, capsys, lists, rem)
        await gateway.drain()
        row = await gateway.get(rem["id"])
        assert row["status"] == "withdrawing"  # the partner's coins have not come back
        view = await case_view(gateway, officers, case.id)
        assert "being withdrawn" in view["money"]["summary"]
        payouts = (await (await gateway.sim.get("/_sim/payouts")).json())["payouts"]
        assert rem["id"] not in payouts  # never instructed: nobody was paid
        assert await wallet(gateway, sender["id"]) == Decimal("400.00")  # nor refunded yet
    finally:
        await handle.client.close()
