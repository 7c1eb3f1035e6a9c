"""Every documented answer of the messaging bots' webhooks against a real one
(tests/api_schemas_support): a Telegram update, WhatsApp's verification handshake and a
WhatsApp notification, on a gateway with both platforms configured (tests/bots/conftest.py)."""

from __future__ import annotations

import hashlib
import hmac
import json

from tests.api_schemas_support import Recorder, check
from tests.integration.bots.conftest import TG_SECRET, WA_SECRET, WA_VERIFY, world  # noqa: F401


async def test_the_bots_webhooks_answer_as_documented(world) -> None:  # noqa: F811
    doc = await (await world.client.get("/openapi.json")).json()
    rec = Recorder(world.client, doc)
    secret = {"X-Telegram-Bot-Api-Secret-Token": TG_SECRET}
    await rec.call(
        "POST", "/bots/telegram", role=None, json=world.tg_message("hello"), headers=secret
    )
    query = {"hub.mode": "subscribe", "hub.verify_token": WA_VERIFY, "hub.challenge": "c-1"}
    await rec.call("GET", "/bots/whatsapp", role=None, params=query)
    raw = json.dumps(world.wa_text("hello")).encode()
    signature = "sha256=" + hmac.new(WA_SECRET.encode(), raw, hashlib.sha256).hexdigest()
    headers = {"X-Hub-Signature-256": signature, "Content-Type": "application/json"}
    await rec.call("POST", "/bots/whatsapp", role=None, data=raw, headers=headers)
    check(rec, "bots")
