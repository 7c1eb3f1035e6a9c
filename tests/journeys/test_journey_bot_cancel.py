"""Journey: a Telegram sender pays, the partner has not paid yet; /cancel within the window
cancels and everything comes back to the wallet, fee included; after the window /cancel says
it can no longer be cancelled. The receipt push is followed by a "cancel" button (Telegram inline
keyboard in English, WhatsApp reply button in Chinese) that does the same at minute 29 and is
refused at minute 31. Bot webhooks only (and the ledger's wallet balance)."""

from __future__ import annotations

import pytest

from ledger_adapter import chart
from tests.integration.bots.conftest import world  # noqa: F401


@pytest.fixture
def sim_faults() -> dict:
    """A partner that accepts at once and would pay only after an hour (never in this test)."""
    return {"pay_delay_ms": 3_600_000}


async def _paid_from_telegram(world, lang: str) -> str:  # noqa: F811
    customer, _ = await world.tg_confirmed_transfer(lang)
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


async def _paid_from(world, chat, zh: bool) -> str:  # noqa: F811
    return await chat.confirmed_transfer("王小明" if zh else "Ana Reyes", zh)


async def _offered(world, chat) -> dict:  # noqa: F811
    """The notifier's pushes after payment: the receipt, then the cancel button."""
    mark = chat.sent()
    await world.bots.notifier.run_once()
    pushed = chat.since(mark)
    assert len(pushed) == 2 and not pushed[0]["buttons"]
    return pushed[1]


@pytest.mark.parametrize(
    ("platform", "zh", "offer", "label", "words"),
    [
        ("telegram", False, "You can still cancel", "Cancel transfer", "being cancelled"),
        ("whatsapp", True, "您仍可取消汇款", "取消汇款", "正在取消"),
    ],
)
async def test_the_cancel_button_in_the_window_refunds_everything(
    world,  # noqa: F811
    platform,
    zh,
    offer,
    label,
    words,
) -> None:
    from tests.journeys.test_journey_bot_requote import Chat

    chat = Chat(world, platform)
    customer = await _paid_from(world, chat, zh)
    pushed = await _offered(world, chat)
    assert offer in pushed["text"]
    [button] = pushed["buttons"]
    assert button["text"] == label
    world.clock.advance(minutes=29)
    reply = await chat.tap(button)
    assert words in reply[0]["text"]
    await world.drain()
    assert await _wallet(world, customer) == 50000  # all of it, fee included
    again = await chat.tap(button)  # used: nothing happens twice
    assert "no longer active" in again[0]["text"] or "已失效" in again[0]["text"]


async def test_the_cancel_button_after_the_window_is_refused(world) -> None:  # noqa: F811
    from tests.journeys.test_journey_bot_requote import Chat

    chat = Chat(world, "telegram")
    customer = await _paid_from(world, chat, False)
    [button] = (await _offered(world, chat))["buttons"]
    world.clock.advance(minutes=31)
    reply = await chat.tap(button)
    assert "window closed" in reply[0]["text"]
    await world.drain()
    assert await _wallet(world, customer) == 40000
    status = await chat.say("/status")
    assert all(not m["buttons"] for m in status)  # no button offered after the window
