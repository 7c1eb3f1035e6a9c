"""Journey: a sender about to pay sees the regime's pre-payment disclosure, every item, through
the API (POST and GET /v1/quotes) and in the bot's quote in English and Chinese; a transfer at or
under the USD 15 threshold is marked as not covered. Public interfaces only."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.integration.bots.conftest import world  # noqa: F401

ITEMS = (
    "transfer_amount",
    "fees",
    "taxes",
    "total",
    "exchange_rate",
    "covered_third_party_fees",
    "amount_received",
)


async def test_api_quote_discloses_every_item(gateway) -> None:
    quote = await gateway.quote("100.00")
    d = quote["disclosure"]
    for item in ITEMS:
        assert d[item], item
    assert d["regime"] == "us_reg_e" and d["covered"] is True and d["not_covered_reason"] is None
    assert d["send_currency"] == "USD" and d["receive_currency"] == "PHP"
    assert Decimal(d["transfer_amount"]) + Decimal(d["fees"]) + Decimal(d["taxes"]) == Decimal(
        d["total"]
    )
    assert d["total"] == quote["send_amount"] and d["fees"] == quote["fee"]
    assert d["amount_received"] == quote["receive_amount"] and d["exchange_rate"] == quote["rate"]
    assert "recipient's bank" in d["statement"]["en"] and "银行" in d["statement"]["zh-Hans"]
    assert d["provider"]["name"] and d["provider"]["phone"] and d["provider"]["website"]
    resp = await gateway.client.get(f"/v1/quotes/{quote['id']}", headers=gateway.auth())
    assert (await resp.json())["disclosure"] == d


async def test_small_transfer_is_marked_not_covered(gateway) -> None:
    # 17.99 USD pays the 2.99 minimum fee and 0.5 %: 15.00 or less is transferred.
    small = (await gateway.quote("17.99"))["disclosure"]
    assert Decimal(small["transfer_amount"]) <= Decimal("15.00")
    assert small["covered"] is False and "15.00 USD or less" in small["not_covered_reason"]
    big = (await gateway.quote("20.00"))["disclosure"]
    assert Decimal(big["transfer_amount"]) > Decimal("15.00") and big["covered"] is True


BOT = {
    "en": {
        "name": "Ana Reyes",
        "send": "send {amount} USD to PH",
        "items": [
            "Transfer amount: ",
            "Transfer fees: ",
            "Transfer taxes: 0.00 USD",
            "Total: {amount} USD",
            "Exchange rate: 1 USD =",
            "Other fees (covered): 0.00 PHP",
            "Total to recipient: ",
            "fees charged by the recipient's bank and foreign taxes",
        ],
        "not_covered": "not covered by US Regulation E",
    },
    "zh": {
        "name": "王小明",
        "send": "发送 {amount} 美元 到 菲律宾",
        "items": [
            "汇款金额：",
            "汇款手续费：",
            "汇款税款：0.00 USD",
            "合计：{amount} USD",
            "汇率：1 USD =",
            "其他费用（已包含）：0.00 PHP",
            "收款人实收：",
            "收款银行收取的费用及境外税款",
        ],
        "not_covered": "不受 US Regulation E",
    },
}


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("amount", ["100", "17.99"])
async def test_bot_quote_discloses_every_item(world, lang, amount) -> None:  # noqa: F811
    words = BOT[lang]
    say = lambda text: world.telegram(world.tg_message(text, lang=lang))  # noqa: E731
    await say("hello")
    await say(words["name"])
    await say("US")
    await world.telegram(world.tg_contact(lang=lang))  # the phone, from Telegram
    await say(words["send"].format(amount=amount))
    await say("Maria Dela Cruz")
    quote = await say("+639171234567")
    text = quote[0]["text"]
    shown = f"{Decimal(amount):.2f}"
    for item in words["items"]:
        assert item.format(amount=shown) in text, (item, text)
    assert (words["not_covered"] in text) == (amount == "17.99")
