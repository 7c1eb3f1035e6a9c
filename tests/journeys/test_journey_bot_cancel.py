"""Journey: a Telegram sender pays, the partner has not paid yet; /cancel within the window
cancels and everything comes back to the wallet, fee included; after the window /cancel says
it can no longer be cancelled. Bot webhooks only (and the ledger's wallet balance)."""

from __future__ import annotations

import pytest

from ledger_adapter import chart
from tests.bots.conftest import world  # noqa: F401
from tests.conftest import SIM_SECRET


@pytest.fixture
async def sim_client(aiohttp_client):
    """A partner that accepts at once and would pay only after an hour (never in this test)."""
    from corridors.simulator import Faults, create_simulator_app

    faults = Faults(seed=7, pay_delay_ms=3_600_000)
    return await aiohttp_client(create_simulator_app(faults, SIM_SECRET.encode()))


async def _paid_from_telegram(world, lang: str) -> str:  # noqa: F811
    say = lambda text: world.telegram(world.tg_message(text, lang=lang))  # noqa: E731
    await say("hello")
    await say("Ana Reyes" if lang == "en" else "王小明")
    await say("US")
    await world.telegram(world.tg_contact(lang=lang))  # the phone, from Telegram
    customer = await world.customer_of("telegram", "42")
    await world.top_up(customer)
    await say("send 100 USD to PH")
    await say("Maria Dela Cruz")
    quote = await say("+639171234567")
    await world.telegram(world.tg_tap(quote[0]["buttons"][0]["callback_data"], lang=lang))
    await world.drain()
    return customer


async def _wallet(world, customer: str) -> int:  # noqa: F811
    return (await world.svc.ledger.balance(chart.wallet(customer, "USD"))).available


@pytest.mark.parametrize(("lang", "words"), [("en", "being cancelled"), ("zh", "正在取消")])
async def test_cancel_in_the_window_refunds_everything(world, lang, words) -> None:  # noqa: F811
    customer = await _paid_from_telegram(world, lang)
    assert await _wallet(world, customer) == 40000  # 500.00 less 100.00
    world.clock.advance(minutes=29)
    reply = await world.telegram(world.tg_message("/cancel", lang=lang))
    assert words in reply[0]["text"]
    await world.drain()
    assert await _wallet(world, customer) == 50000  # all of it, fee included


async def test_cancel_after_the_window_is_refused(world) -> None:  # noqa: F811
    customer = await _paid_from_telegram(world, "en")
    world.clock.advance(minutes=31)
    reply = await world.telegram(world.tg_message("/cancel"))
    assert "can't be cancelled" in reply[0]["text"]
    await world.drain()
    assert await _wallet(world, customer) == 40000
