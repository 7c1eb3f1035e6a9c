"""Local fakes of the Telegram Bot API and the WhatsApp Graph API (aiohttp servers on
127.0.0.1), and a gateway wired to them with the real aiogram client."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from typing import Any

import pytest
from aiohttp import web

from tests.conftest import add_simulator

TG_TOKEN = "123456:TEST-token-for-fake-api"
TG_SECRET = "tg-webhook-secret"
WA_SECRET = "wa-app-secret"
WA_VERIFY = "wa-verify-token"
WA_TOKEN = "wa-access-token"
WA_PHONE_ID = "1098765"


class FakeTelegram:
    """Records every Bot API call; answers like Telegram with minimal valid objects."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.app = web.Application()
        self.app.router.add_post("/bot{token}/{method}", self.handle)

    async def handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != TG_TOKEN:
            return web.json_response({"ok": False, "error_code": 401}, status=401)
        method = request.match_info["method"]
        if request.content_type == "application/json":
            params = await request.json()
        else:
            params = dict(await request.post())
        self.calls.append((method, params))
        if method == "sendMessage":
            chat = int(params["chat_id"])
            result: Any = {
                "message_id": len(self.calls),
                "date": 0,
                "chat": {"id": chat, "type": "private"},
                "text": params.get("text", ""),
            }
        else:
            result = True
        return web.json_response({"ok": True, "result": result})

    def messages(self, since: int = 0) -> list[dict[str, Any]]:
        out = []
        for method, params in self.calls[since:]:
            if method == "sendMessage":
                markup = json.loads(params["reply_markup"]) if params.get("reply_markup") else {}
                buttons = [b for row in markup.get("inline_keyboard", []) for b in row]
                # Reply-keyboard buttons (the contact-share request) beside inline ones.
                keys = [b for row in markup.get("keyboard", []) for b in row]
                out.append({"text": params["text"], "buttons": buttons, "keyboard": keys})
        return out


class FakeWhatsApp:
    """Records every message the gateway sends through the Graph API."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.app = web.Application()
        self.app.router.add_post("/{phone_id}/messages", self.handle)

    async def handle(self, request: web.Request) -> web.Response:
        assert request.headers["Authorization"] == f"Bearer {WA_TOKEN}"
        assert request.match_info["phone_id"] == WA_PHONE_ID
        body = await request.json()
        self.sent.append(body)
        return web.json_response(
            {"messaging_product": "whatsapp", "messages": [{"id": f"wamid.{uuid.uuid4().hex}"}]}
        )

    def messages(self, since: int = 0) -> list[dict[str, Any]]:
        out = []
        for body in self.sent[since:]:
            if body["type"] == "text":
                out.append({"text": body["text"]["body"], "buttons": []})
                continue
            inner = body["interactive"]
            action = inner["action"]
            if inner["type"] == "button":
                buttons = [
                    {"text": b["reply"]["title"], "id": b["reply"]["id"]} for b in action["buttons"]
                ]
            else:
                buttons = [
                    {"text": r["title"], "id": r["id"]}
                    for s in action["sections"]
                    for r in s["rows"]
                ]
            out.append({"text": inner["body"]["text"], "buttons": buttons})
        return out


class BotWorld:
    """The gateway with bots, the fakes, and helpers that speak as a user would."""

    def __init__(self, client, tg: FakeTelegram, wa: FakeWhatsApp, clock) -> None:
        from gateway.api.appkeys import SERVICES
        from gateway.bots.mount import BOTS

        self.client = client
        self.tg = tg
        self.wa = wa
        self.clock = clock
        self.svc = client.server.app[SERVICES]
        self.bots = client.server.app[BOTS]
        self._update_id = 1000

    # Telegram -----------------------------------------------------------------------------

    @staticmethod
    def tg_user(chat: int, lang: str) -> dict[str, Any]:
        return {"id": chat, "is_bot": False, "first_name": "Ana", "language_code": lang}

    def tg_update(self, chat: int, lang: str, **content: Any) -> dict[str, Any]:
        """A message from the sender in `chat` (Ana, in `lang`) carrying `content` (its text,
        contact, photo...), as Telegram delivers it."""
        self._update_id += 1
        return {
            "update_id": self._update_id,
            "message": {
                "message_id": self._update_id,
                "date": 0,
                "chat": {"id": chat, "type": "private"},
                "from": self.tg_user(chat, lang),
                **content,
            },
        }

    def tg_message(self, text: str, chat: int = 42, lang: str = "en") -> dict[str, Any]:
        return self.tg_update(chat, lang, text=text)

    def tg_contact(
        self,
        phone: str = "14155550123",
        chat: int = 42,
        lang: str = "en",
        user_id: int | None = None,
    ) -> dict[str, Any]:
        """A contact shared as Telegram delivers it: the request_contact button shares the
        sender's own (user_id = the sender's id; the number without "+")."""
        contact = {"phone_number": phone, "first_name": "Ana", "user_id": user_id or chat}
        return self.tg_update(chat, lang, contact=contact)

    def tg_photo(self, file_id: str, chat: int = 42, lang: str = "en") -> dict[str, Any]:
        size = {"file_id": file_id, "file_unique_id": file_id[-8:], "width": 800, "height": 600}
        return self.tg_update(chat, lang, photo=[size])

    async def tg_onboard(self, name: str = "Ana Reyes", chat: int = 42, lang: str = "en"):
        """hello, name, country, the contact-share: a sender at the lowest tier."""
        for text in ("hello", name, "US"):
            await self.telegram(self.tg_message(text, chat=chat, lang=lang))
        return await self.telegram(self.tg_contact(chat=chat, lang=lang))

    async def tg_confirmed_transfer(self, lang: str = "en", amount: str = "100") -> tuple:
        """A new Telegram sender (Ana Reyes; 王小明 in Chinese) onboards, is topped up, sends
        `amount` USD to Maria Dela Cruz in the Philippines and taps Confirm: the customer id
        and the bot's answers to the tap."""
        await self.tg_onboard("Ana Reyes" if lang == "en" else "王小明", lang=lang)
        customer = await self.customer_of("telegram", "42")
        await self.top_up(customer)
        for text in (f"send {amount} USD to PH", "Maria Dela Cruz"):
            await self.telegram(self.tg_message(text, lang=lang))
        quote = await self.telegram(self.tg_message("+639171234567", lang=lang))
        confirm = quote[0]["buttons"][0]["callback_data"]
        return customer, await self.telegram(self.tg_tap(confirm, lang=lang))

    def tg_tap(self, data: str, chat: int = 42, lang: str = "en") -> dict[str, Any]:
        self._update_id += 1
        return {
            "update_id": self._update_id,
            "callback_query": {
                "id": str(self._update_id),
                "from": self.tg_user(chat, lang),
                "chat_instance": "ci",
                "data": data,
                "message": {
                    "message_id": 1,
                    "date": 0,
                    "chat": {"id": chat, "type": "private"},
                    "text": "quote",
                },
            },
        }

    async def tg_post(self, update: dict[str, Any], secret: str = TG_SECRET):
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret}
        return await self.client.post("/bots/telegram", json=update, headers=headers)

    async def telegram(self, update: dict[str, Any]) -> list[dict[str, Any]]:
        """Deliver an update; the bot's answers to it."""
        before = len(self.tg.calls)
        resp = await self.tg_post(update)
        assert resp.status == 200, await resp.text()
        return self.tg.messages(before)

    # WhatsApp -----------------------------------------------------------------------------

    def wa_payload(self, message: dict[str, Any], wa_id: str = "14155550123") -> dict[str, Any]:
        message = {"from": wa_id, "id": f"wamid.{uuid.uuid4().hex}", "timestamp": "0", **message}
        value = {
            "messaging_product": "whatsapp",
            "metadata": {"phone_number_id": WA_PHONE_ID},
            "contacts": [{"wa_id": wa_id, "profile": {"name": "Ana"}}],
            "messages": [message],
        }
        return {
            "object": "whatsapp_business_account",
            "entry": [{"id": "waba", "changes": [{"field": "messages", "value": value}]}],
        }

    def wa_text(self, text: str, **kw) -> dict[str, Any]:
        return self.wa_payload({"type": "text", "text": {"body": text}}, **kw)

    def wa_button(self, payload_id: str, **kw) -> dict[str, Any]:
        reply = {"type": "button_reply", "button_reply": {"id": payload_id, "title": "x"}}
        return self.wa_payload({"type": "interactive", "interactive": reply}, **kw)

    async def wa_post(self, payload: dict[str, Any], secret: str = WA_SECRET):
        raw = json.dumps(payload).encode()
        sig = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
        headers = {"X-Hub-Signature-256": sig, "Content-Type": "application/json"}
        return await self.client.post("/bots/whatsapp", data=raw, headers=headers)

    async def whatsapp(self, payload: dict[str, Any]) -> list[dict[str, Any]]:
        before = len(self.wa.sent)
        resp = await self.wa_post(payload)
        assert resp.status == 200, await resp.text()
        return self.wa.messages(before)

    # The gateway --------------------------------------------------------------------------

    async def drain(self) -> None:
        from gateway.pipeline.worker import Worker

        worker = Worker(self.svc)
        for _ in range(200):
            if not await worker.run_once():
                return
        raise AssertionError("pipeline did not settle")

    async def top_up(self, customer_id: str, amount: str = "500.00") -> None:
        from gateway.domain.callers import Caller
        from gateway.usecases.requests.remittances import TopUpRequest
        from gateway.usecases.wallets import top_up

        operator = Caller("key_test_operator", "test-operator", "operator", None)
        request = TopUpRequest(amount=amount, currency="USD")
        await top_up(self.svc, operator, customer_id, request, f"topup:{uuid.uuid4().hex}")

    async def count(self, table) -> int:
        import sqlalchemy as sa

        async with self.svc.engine.connect() as conn:
            return int(await conn.scalar(sa.select(sa.func.count()).select_from(table)))

    async def customer_of(self, platform: str, chat_id: str) -> str:
        import sqlalchemy as sa

        from gateway.storage.tables_bots import bot_conversations
        from gateway.usecases.bot_chats import chat_key

        async with self.svc.engine.connect() as conn:
            return await conn.scalar(
                sa.select(bot_conversations.c.customer_id).where(
                    bot_conversations.c.platform == platform,
                    bot_conversations.c.chat_id == chat_key(self.svc.engine, platform, chat_id),
                )
            )


def bot_settings(tg_base: str, wa_base: str):
    from gateway.config import BotSettings

    return BotSettings(
        telegram_bot_token=TG_TOKEN,
        telegram_webhook_secret=TG_SECRET,
        telegram_api_base=tg_base,
        whatsapp_app_secret=WA_SECRET,
        whatsapp_verify_token=WA_VERIFY,
        whatsapp_access_token=WA_TOKEN,
        whatsapp_phone_number_id=WA_PHONE_ID,
        whatsapp_api_base=wa_base,
    )


@pytest.fixture
async def world(database_url, aiohttp_client, sim_client, screener, clock, world_settings):
    from corridors.outbound import OutboundRule
    from gateway.app import create_app
    from gateway.config import Settings
    from gateway.storage.engine import create_engine
    from gateway.storage.migrate import upgrade_async

    tg, wa = FakeTelegram(), FakeWhatsApp()
    tg_client = await aiohttp_client(tg.app)
    wa_client = await aiohttp_client(wa.app)
    await upgrade_async(database_url)
    engine = create_engine(database_url)
    await add_simulator(engine, sim_client, clock())
    await engine.dispose()
    settings = Settings(
        database_url=database_url,
        partner_timeout_s=5,
        rates_mode="sample",
        outbound=OutboundRule.development(),
        bots=bot_settings(
            str(tg_client.make_url("")).rstrip("/"), str(wa_client.make_url("")).rstrip("/")
        ),
        **world_settings,
    )
    app = create_app(settings, run_workers=False, screener=screener, clock=clock, migrate=False)
    world = BotWorld(await aiohttp_client(app), tg, wa, clock)
    yield world
    assert await world.svc.ledger.check() == []
