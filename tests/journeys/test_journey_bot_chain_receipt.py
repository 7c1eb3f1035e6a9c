"""Journey: a Telegram sender's transfer is paid to the partner on chain (the embedded chain);
once settled, the bot says which transaction carried it, hash and log index, in the sender's
language: in the paid-out push and on /status. Before the coin left, /status shows no
transaction. Bot webhooks only (the settler is stepped by the test, as the server's one
process would run it).

On the old main the bot's messages never named the settlement transaction."""

from __future__ import annotations

from dataclasses import replace

import pytest
import sqlalchemy as sa
from eth_account import Account

from gateway.chain import open_settler, wake_settled
from gateway.storage.tables import partners
from ledger_adapter.evm.items import ITEMS
from tests.conftest import DEMO_PARTNER
from tests.integration.bots.conftest import world  # noqa: F401


@pytest.mark.parametrize(("lang", "words"), [("en", "Settled on chain"), ("zh", "链上结算")])
async def test_bot_names_the_settlement_transaction(world, lang, words) -> None:  # noqa: F811
    address = Account.create().address
    async with world.svc.engine.begin() as conn:
        await conn.execute(
            sa.update(partners).where(partners.c.id == DEMO_PARTNER).values(chain_address=address)
        )
    say = lambda text: world.telegram(world.tg_message(text, lang=lang))  # noqa: E731
    await world.tg_confirmed_transfer(lang)
    await world.drain()
    before_chain = await say("/status")
    assert words not in before_chain[0]["text"] and "0x" not in before_chain[0]["text"]

    svc = world.svc
    settings = replace(svc.settings, chain_window_s=0, chain="embedded")
    handle = await open_settler(settings, svc.engine, lambda ids: wake_settled(svc, ids))
    for _ in range(10):
        await handle.settler.tick()
        async with svc.engine.connect() as conn:
            [item] = (await conn.execute(sa.select(ITEMS))).all()
        if item.status == "settled":
            break
    assert item.status == "settled"
    await world.drain()
    before = len(world.tg.calls)
    await world.bots.notifier.run_once()
    pushed = [m["text"] for m in world.tg.messages(before)]
    # The receipt (pushed late here, after the settlement) and the paid-out push name it.
    [paid] = [m for m in pushed if ("has arrived" if lang == "en" else "已到账") in m]
    [receipt] = [m for m in pushed if ("Receipt for" if lang == "en" else "收据") in m]
    for text in (paid, receipt):
        assert words in text and item.settle_tx in text and "USDC" in text

    status = (await say("/status"))[0]["text"]
    assert words in status and item.settle_tx in status
    assert (f"(log {item.log_index})" if lang == "en" else f"（日志 {item.log_index}）") in status
    await handle.client.close()
