"""Journey: a sender with an empty wallet sends from Telegram. The bot says what happened
(created, waiting for the bank transfer), never "Done!"; it pushes the real pay-in
instructions (the collection account, the issued reference, the corridor's bank window); a
signed pay-in carrying that reference exactly as the bot showed it is matched, and the
transfer is paid out. Public interfaces only: bot webhooks, the signed pay-in callback."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from tests.funding_support import add_payin_partner, callback
from tests.integration.bots.conftest import world  # noqa: F401

WORDS = {
    "en": {
        "name": "Ana Reyes",
        "send": "send 100 USD to PH",
        "created": "Transfer",
        "waiting": "waiting for your bank transfer",
        "account": "Account: 000123456789 (routing 021000021)",
        "bank": "Bank: Remit Simulator Bank, New York",
        "reference": r"Reference: (RF\d\d(?: \w{1,4})+)",
        "paid": "has arrived",
    },
    "zh": {
        "name": "王小明",
        "send": "发送 100 美元 到 菲律宾",
        "created": "已创建汇款",
        "waiting": "正在等待您的银行转账",
        "account": "账号：000123456789 (routing 021000021)",
        "bank": "银行：Remit Simulator Bank, New York",
        "reference": r"参考号：(RF\d\d(?: \w{1,4})+)",
        "paid": "已到账",
    },
}


def texts(messages) -> str:
    return "\n".join(m["text"] for m in messages)


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_bot_pay_in_by_reference_is_matched_and_paid_out(world, lang) -> None:  # noqa: F811
    w = WORDS[lang]
    await add_payin_partner(world)
    say = lambda text: world.telegram(world.tg_message(text, lang=lang))  # noqa: E731
    await say("hello")
    await say(w["name"])
    await say("US")
    await world.telegram(world.tg_contact(lang=lang))  # the phone, from Telegram
    await say(w["send"])
    await say("Maria Dela Cruz")
    [quote] = await say("+639171234567")
    confirmed = texts(await world.telegram(world.tg_tap(quote["buttons"][0]["callback_data"])))
    assert w["created"] in confirmed and w["waiting"] in confirmed
    assert "Done" not in confirmed and "完成" not in confirmed

    await world.drain()  # quoted -> awaiting_funds: a payment reference is issued
    before = len(world.tg.calls)
    await world.bots.notifier.run_once()
    [instructions] = world.tg.messages(before)
    text = instructions["text"]
    assert w["account"] in text and w["bank"] in text and "100.00 USD" in text
    reference = re.search(w["reference"], text).group(1)
    # The deadline is the corridor's bank window (two days), not the quote's 60 seconds.
    until = re.search(r"(\d{4}-\d\d-\d\d \d\d:\d\d)", text).group(1)
    deadline = datetime.strptime(until, "%Y-%m-%d %H:%M").replace(tzinfo=world.clock().tzinfo)
    assert deadline - world.clock() > timedelta(days=1, hours=23)

    status, body = await callback(world, reference, "100.00")
    assert status in (200, 201), body
    assert body["status"] != "suspense", body
    await world.drain()
    before = len(world.tg.calls)
    await world.bots.notifier.run_once()
    assert w["paid"] in texts(world.tg.messages(before))
