"""Journey: a corridor serves the senders of its sending side only. A US sender who quotes the
GB corridor is refused at creation with a problem naming the sender and the corridor, nothing
written, and the quote stays free for a sender who lives in the UK; in the bot, a US sender
asking for a country only other senders' corridors reach is told so, in their language."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from gateway.storage.tables import remittances
from tests.integration.bots.conftest import world  # noqa: F401

GB_RECIPIENT = {"name": "Jean Dupont", "iban": "FR1420041010050500013M02606"}


async def _count(gateway) -> int:
    async with gateway.svc.engine.connect() as conn:
        return await conn.scalar(sa.select(sa.func.count()).select_from(remittances))


async def _create(gateway, quote_id: str, sender_id: str):
    body = {"quote_id": quote_id, "sender_id": sender_id, "recipient": GB_RECIPIENT}
    headers = {**gateway.auth(), "Idempotency-Key": str(uuid.uuid4())}
    return await gateway.client.post("/v1/remittances", json=body, headers=headers)


async def test_a_sender_from_elsewhere_cannot_use_the_corridor(gateway) -> None:
    american = await gateway.customer(external_id="us-1", country="US")
    quote = await gateway.quote(
        "100.00", send_currency="GBP", receive_currency="EUR", corridor_id="GB-EU-SEPA"
    )

    resp = await _create(gateway, quote["id"], american["id"])
    assert resp.status == 422
    assert resp.content_type == "application/problem+json"
    problem = await resp.json()
    assert problem["type"].endswith("corridor-not-eligible")
    assert "GB-EU-SEPA" in problem["detail"] and "US" in problem["detail"]
    assert [e["field"] for e in problem["errors"]] == ["sender_id"]
    assert await _count(gateway) == 0

    briton = await gateway.customer(external_id="gb-1", country="GB")
    resp = await _create(gateway, quote["id"], briton["id"])
    assert resp.status == 201, await resp.text()
    assert (await resp.json())["corridor_id"] == "GB-EU-SEPA"


CASES = [
    ("en", "Ana Reyes", "send 100 to Nigeria", "from United States"),
    ("zh", "王小明", "发送 100 到 尼日利亚", "美国"),
]


@pytest.mark.parametrize("case", CASES, ids=["en", "zh"])
async def test_the_bot_says_no_corridor_leaves_the_country(world, case) -> None:  # noqa: F811
    lang, name, ask, told = case
    say = lambda text: world.telegram(world.tg_message(text, lang=lang))  # noqa: E731
    await say("hello")
    await say(name)
    await say("US")
    await world.telegram(world.tg_contact(lang=lang))  # the phone, from Telegram
    replies = "\n".join(m["text"] for m in await say(ask))
    assert told in replies, replies
    assert "EUR" not in replies  # not offered a currency it could never send from
