"""Signatures, duplicates, replayed taps, expired quotes, bad input, limits and mounting."""

from __future__ import annotations

from gateway.storage.tables import customers, quotes, remittances
from tests.integration.bots.conftest import WA_VERIFY


def texts(messages) -> str:
    return "\n".join(m["text"] for m in messages)


async def onboard_telegram(world, chat: int = 42, lang: str = "en", funded: bool = True) -> None:
    for text in ("hi", "Ana Reyes", "US"):
        await world.telegram(world.tg_message(text, chat=chat, lang=lang))
    await world.telegram(world.tg_contact(chat=chat, lang=lang))
    if funded:
        await world.top_up(await world.customer_of("telegram", str(chat)))


async def quote_telegram(world, chat: int = 42) -> dict:
    await world.telegram(world.tg_message("send 100 USD to PH", chat=chat))
    await world.telegram(world.tg_message("Maria Dela Cruz", chat=chat))
    [quote] = await world.telegram(world.tg_message("+639171234567", chat=chat))
    return quote


async def test_telegram_wrong_secret_is_refused(world) -> None:
    resp = await world.tg_post(world.tg_message("hi"), secret="wrong")
    assert resp.status == 401
    assert resp.content_type == "application/problem+json"
    assert world.tg.calls == [] and await world.count(customers) == 0


async def test_whatsapp_signature_and_handshake(world) -> None:
    resp = await world.wa_post(world.wa_text("hi"), secret="forged")
    assert resp.status == 401
    assert world.wa.sent == []
    ok = await world.client.get(
        "/bots/whatsapp",
        params={"hub.mode": "subscribe", "hub.verify_token": WA_VERIFY, "hub.challenge": "c42"},
    )
    assert ok.status == 200 and await ok.text() == "c42"
    bad = await world.client.get(
        "/bots/whatsapp",
        params={"hub.mode": "subscribe", "hub.verify_token": "nope", "hub.challenge": "c42"},
    )
    assert bad.status == 403


async def test_duplicate_deliveries_are_ignored(world) -> None:
    update = world.tg_message("hi")
    assert len(await world.telegram(update)) == 1
    assert await world.telegram(update) == []  # Telegram retried the same update_id
    payload = world.wa_text("hi")
    assert len(await world.whatsapp(payload)) == 1
    assert await world.whatsapp(payload) == []  # the same WhatsApp message id


async def test_replayed_confirm_tap_sends_once(world) -> None:
    await onboard_telegram(world)
    quote = await quote_telegram(world)
    data = quote["buttons"][0]["callback_data"]
    first = await world.telegram(world.tg_tap(data))
    again = await world.telegram(world.tg_tap(data))  # a new update_id, the same button
    assert "created" in texts(first)
    assert "already confirmed" in texts(again)
    assert await world.count(remittances) == 1


async def test_expired_quote_is_requoted(world) -> None:
    await onboard_telegram(world)
    quote = await quote_telegram(world)
    world.clock.advance(minutes=2)  # past the corridor's 60 s quote lifetime
    [fresh] = await world.telegram(world.tg_tap(quote["buttons"][0]["callback_data"]))
    assert "expired" in fresh["text"] and "You send 100.00 USD" in fresh["text"]
    assert await world.count(remittances) == 0 and await world.count(quotes) == 2
    # The old button is dead; the new one sends.
    stale = await world.telegram(world.tg_tap(quote["buttons"][0]["callback_data"]))
    assert "no longer active" in texts(stale)
    assert "created" in texts(
        await world.telegram(world.tg_tap(fresh["buttons"][0]["callback_data"]))
    )
    assert await world.count(remittances) == 1


BAD_INPUT = [
    ("asdfgh qwerty", "en", "didn't get that"),
    ("🙂🎉💸", "en", "didn't get that"),
    ("send -5 USD to PH", "en", "more than zero"),
    ("send 99999999999 USD to PH", "en", "between 10.00 and 2999.00 USD"),
    ("send 100.555 USD to PH", "en", "as a number"),
    ("send 100 USD to Narnia", "en", "don't send to Narnia"),
    ("send 100 USD to Brazil", "en", "don't send to Brazil"),
    ("send 100 USD to France", "en", "cannot send to France from United States"),
    ("send 100 GBP to PH", "en", "not GBP"),
    ("发送 100 USD 到 巴西", "zh", "暂不支持汇往巴西"),
    ("发送 -3 美元 到 菲律宾", "zh", "金额必须大于零"),
]


async def test_bad_input_gets_a_friendly_answer_and_creates_nothing(world) -> None:
    """One chat per language (a test database each would be slow); every answer says what to
    fix, and no quote or remittance is written."""
    for chat, lang in ((51, "en"), (52, "zh")):
        await onboard_telegram(world, chat=chat, lang=lang, funded=False)
    for text, lang, answer in BAD_INPUT:
        chat = 51 if lang == "en" else 52
        replies = await world.telegram(world.tg_message(text, chat=chat, lang=lang))
        assert answer in texts(replies), text
    assert await world.count(quotes) == 0 and await world.count(remittances) == 0


async def test_invalid_recipient_details_are_asked_again(world) -> None:
    await onboard_telegram(world, funded=False)
    await world.telegram(world.tg_message("send 100 USD to PH"))
    assert "letters" not in texts(await world.telegram(world.tg_message("Maria Dela Cruz")))
    wrong = await world.telegram(world.tg_message("12345"))
    assert "doesn't look right" in texts(wrong) and "+639171234567" in texts(wrong)
    assert await world.count(quotes) == 0


async def test_guided_flow_saved_recipient_status_history_cancel(world) -> None:
    await onboard_telegram(world)
    assert "Where to?" in texts(await world.telegram(world.tg_message("send")))
    assert "How much" in texts(await world.telegram(world.tg_message("Philippines")))
    await world.telegram(world.tg_message("100"))
    await world.telegram(world.tg_message("Maria Dela Cruz"))
    [quote] = await world.telegram(world.tg_message("+639171234567"))
    await world.telegram(world.tg_tap(quote["buttons"][0]["callback_data"]))
    status = texts(await world.telegram(world.tg_message("/status")))
    assert "100.00 USD" in status and "being checked" in status
    # The second time, the recipient is offered as a saved one.
    [ask] = await world.telegram(world.tg_message("send 50 USD to PH"))
    assert [b["text"] for b in ask["buttons"]] == ["Maria Dela Cruz", "Someone new"]
    [quote2] = await world.telegram(world.tg_tap(ask["buttons"][0]["callback_data"]))
    assert "You send 50.00 USD" in quote2["text"]
    cancelled = await world.telegram(world.tg_tap(quote2["buttons"][1]["callback_data"]))
    assert "Nothing was sent" in texts(cancelled)
    history = texts(await world.telegram(world.tg_message("/history")))
    assert history.count("USD →") == 1
    # /cancel with no draft cancels the latest transfer while it is still cancellable.
    assert "is cancelled" in texts(await world.telegram(world.tg_message("/cancel")))
    await world.drain()
    assert "cancelled" in texts(await world.telegram(world.tg_message("/status")))


async def test_language_can_be_changed(world) -> None:
    await onboard_telegram(world, funded=False)
    [pick] = await world.telegram(world.tg_message("/language"))
    assert [b["text"] for b in pick["buttons"]] == ["English", "中文"]
    assert "中文" in texts(await world.telegram(world.tg_tap(pick["buttons"][1]["callback_data"])))
    assert "抱歉" in texts(await world.telegram(world.tg_message("???")))


async def test_rate_limit_per_chat(world) -> None:
    burst = world.svc.settings.bots.rate_burst
    answers = [await world.telegram(world.tg_message("???", chat=7)) for _ in range(burst + 2)]
    assert answers[burst - 1] and "too fast" not in texts(answers[burst - 1])
    assert "too fast" in texts(answers[burst])
    assert answers[burst + 1] == []  # told once, then quiet
    assert len(await world.telegram(world.tg_message("???", chat=8))) == 1  # other chats unaffected
    world.clock.advance(minutes=1)
    later = await world.telegram(world.tg_message("???", chat=7))
    assert len(later) == 1 and "too fast" not in texts(later)


async def test_pushes_on_hold(world) -> None:
    """A sanctioned recipient name holds the transfer; the chat hears about it."""
    await onboard_telegram(world)
    await world.telegram(world.tg_message("send 100 USD to PH"))
    await world.telegram(world.tg_message("Osama Bin Laden"))
    [quote] = await world.telegram(world.tg_message("+639171234567"))
    await world.telegram(world.tg_tap(quote["buttons"][0]["callback_data"]))
    await world.drain()
    before = len(world.tg.calls)
    await world.bots.notifier.run_once()
    assert "being reviewed" in texts(world.tg.messages(before))


async def test_unconfigured_platforms_are_not_mounted(aiohttp_client, database_url, screener):
    from gateway.app import create_app
    from gateway.config import Settings

    app = create_app(Settings(database_url=database_url), run_workers=False, screener=screener)
    client = await aiohttp_client(app)
    assert (await client.post("/bots/telegram", json={})).status == 404
    doc = await (await client.get("/openapi.json")).json()
    assert not any(p.startswith("/bots/") for p in doc["paths"])


async def test_openapi_lists_mounted_bot_routes(world) -> None:
    doc = await (await world.client.get("/openapi.json")).json()
    assert set(doc["paths"]["/bots/whatsapp"]) == {"get", "post"}
    assert doc["paths"]["/bots/telegram"]["post"]["tags"] == ["bots"]
