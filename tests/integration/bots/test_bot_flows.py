"""Whole conversations, hello to paid out, through the real aiogram client and the fakes."""

from __future__ import annotations

import pytest

from gateway.storage.tables import quotes, remittances

# What the user types and what the bot must say, per language.
SCRIPTS = {
    "en": {
        "name": "Ana Reyes",
        "send": "send 100 USD to PH",
        "ask_name": "full name",
        "registered": "Your account is ready",
        "ask_phone": "share your phone number",
        "not_own": "someone else's contact",
        "kyc": "KYC: phone verified, tier phone_verified: up to 500 USD per transfer",
        "recipient_name": "Recipient's full name",
        "quote": ["You send 100.00 USD", "fee 3.49 USD", "Rate: 1 USD =", "receives", "PHP"],
        "confirm": "Confirm",
        "sent": "created",
        "paid": "has arrived",
        "receipt": "Receipt for transfer",
    },
    "zh": {
        "name": "王小明",
        "send": "发送 100 美元 到 菲律宾",
        "ask_name": "全名",
        "registered": "您的账户已开通",
        "ask_phone": "分享您的手机号",
        "not_own": "别人的联系人",
        "kyc": "身份验证：手机号已验证，等级 手机已验证：每笔最多 500 美元",
        "recipient_name": "收款人的全名",
        "quote": ["您支付 100.00 USD", "含手续费 3.49 USD", "汇率：1 USD =", "收到", "PHP"],
        "confirm": "确认",
        "sent": "已创建汇款",
        "paid": "已到账",
        "receipt": "收据",
    },
}


def texts(messages) -> str:
    return "\n".join(m["text"] for m in messages)


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_telegram_hello_to_paid_out(world, lang) -> None:
    s = SCRIPTS[lang]
    say = lambda text: world.telegram(world.tg_message(text, lang=lang))  # noqa: E731
    assert s["ask_name"] in texts(await say("hello"))
    assert "US" in texts(await say(s["name"]))  # Telegram does not tell us the country
    [ask] = await say("US")
    # The phone comes from the contact-share button (the sender's own account), never typed.
    assert ask["keyboard"][0]["request_contact"] is True and s["registered"] not in ask["text"]
    assert s["ask_phone"] in texts(await say("+14155550123"))  # typed: asked again
    stranger = world.tg_contact("14155550999", lang=lang, user_id=777)
    assert s["not_own"] in texts(await world.telegram(stranger))
    assert await world.customer_of("telegram", "42") is None  # nobody registered yet
    registered = texts(await world.telegram(world.tg_contact(lang=lang)))
    assert s["registered"] in registered and s["kyc"] in registered
    await world.top_up(await world.customer_of("telegram", "42"))
    assert s["recipient_name"] in texts(await say(s["send"]))
    assert "+639171234567" in texts(await say("Maria Dela Cruz"))
    quote = await say("+639171234567")
    assert len(quote) == 1
    for part in s["quote"]:
        assert part in quote[0]["text"]
    confirm = quote[0]["buttons"][0]
    assert confirm["text"] == s["confirm"]
    done = await world.telegram(world.tg_tap(confirm["callback_data"], lang=lang))
    assert s["sent"] in texts(done)
    assert "500.00 USD" in texts(done)  # the wallet balance that pays for it
    await world.drain()
    before = len(world.tg.calls)
    assert await world.bots.notifier.run_once() > 0
    pushed = world.tg.messages(before)
    # The receipt when paid (funded), then the arrival: each once.
    assert len(pushed) == 2 and s["receipt"] in pushed[0]["text"] and s["paid"] in pushed[1]["text"]
    assert await world.bots.notifier.run_once() == 0  # the cursor moved: never told twice
    assert await world.count(remittances) == 1


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_whatsapp_hello_to_paid_out(world, lang) -> None:
    s = SCRIPTS[lang]
    say = lambda text: world.whatsapp(world.wa_text(text))  # noqa: E731
    first = "hello" if lang == "en" else "你好"
    assert s["ask_name"] in texts(await say(first))
    # WhatsApp gives the phone number, so the country comes from it: no question asked.
    assert s["registered"] in texts(await say(s["name"]))
    await world.top_up(await world.customer_of("whatsapp", "14155550123"))
    assert s["recipient_name"] in texts(await say(s["send"]))
    await say("Maria Dela Cruz")
    quote = await say("+639171234567")
    for part in s["quote"]:
        assert part in quote[0]["text"]
    confirm = quote[0]["buttons"][0]
    assert confirm["text"] == s["confirm"]
    assert s["sent"] in texts(await world.whatsapp(world.wa_button(confirm["id"])))
    await world.drain()
    before = len(world.wa.sent)
    await world.bots.notifier.run_once()
    pushed = world.wa.messages(before)
    # The receipt when paid (funded), then the arrival: each once.
    assert len(pushed) == 2 and s["receipt"] in pushed[0]["text"] and s["paid"] in pushed[1]["text"]
    assert await world.count(quotes) == 1
