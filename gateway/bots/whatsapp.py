"""WhatsApp Cloud API adapter: the GET verification handshake, `X-Hub-Signature-256` over the
raw body, text and interactive replies in; text, reply buttons and lists out through the
configurable Graph API base URL."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterator, Sequence
from typing import Any

import aiohttp
import structlog
from aiohttp import web

from gateway.api.http import parse_json_body
from gateway.api.problems import Problem
from gateway.bots.conversation.dispatch import Engine
from gateway.bots.conversation.turn import Incoming, Reply
from gateway.config import BotSettings
from gateway.usecases import bot_chats

log = structlog.get_logger("gateway.bots.whatsapp")

PLATFORM = "whatsapp"
SIGNATURE_HEADER = "X-Hub-Signature-256"
PAYLOAD_PREFIX = "a:"
MAX_REPLY_BUTTONS = 3  # WhatsApp's limit for reply buttons; more become a list
_CJK = re.compile(r"[\u3400-\u9fff]")


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def outgoing(to: str, reply: Reply) -> dict[str, Any]:
    """The Graph API body for one reply."""
    base: dict[str, Any] = {"messaging_product": "whatsapp", "recipient_type": "individual"}
    base["to"] = to
    if not reply.buttons:
        return {**base, "type": "text", "text": {"body": reply.text[:4096]}}
    ids = [PAYLOAD_PREFIX + b.action_id for b in reply.buttons]
    if len(reply.buttons) <= MAX_REPLY_BUTTONS:
        action = {
            "buttons": [
                {"type": "reply", "reply": {"id": i, "title": b.label[:20]}}
                for i, b in zip(ids, reply.buttons, strict=True)
            ]
        }
        kind = "button"
    else:
        rows = [{"id": i, "title": b.label[:24]} for i, b in zip(ids, reply.buttons, strict=True)]
        action = {"button": "☰", "sections": [{"title": "·", "rows": rows[:10]}]}
        kind = "list"
    interactive = {"type": kind, "body": {"text": reply.text[:1024]}, "action": action}
    return {**base, "type": "interactive", "interactive": interactive}


def incoming_messages(payload: Any) -> Iterator[tuple[str, Incoming]]:
    """(message id, Incoming) for each user message in a webhook payload; statuses skipped."""
    entries = payload.get("entry", []) if isinstance(payload, dict) else []
    for entry in entries:
        for change in entry.get("changes", []) or []:
            for msg in (change.get("value") or {}).get("messages", []) or []:
                wa_id, msg_id = str(msg.get("from", "")), str(msg.get("id", ""))
                if not wa_id or not msg_id:
                    continue
                text, action = _content(msg)
                yield (
                    msg_id,
                    Incoming(
                        PLATFORM,
                        wa_id,
                        text=text,
                        action_id=action,
                        language="zh" if text and _CJK.search(text) else None,
                        # The sender's own number, as WhatsApp delivered the message: verified.
                        phone="+" + wa_id.lstrip("+"),
                        attachment=_media(msg),
                    ),
                )


def _media(msg: dict[str, Any]) -> str | None:
    """An image or document message as "whatsapp:<media id>" (a KYC document's reference)."""
    kind = msg.get("type")
    if kind in ("image", "document"):
        media_id = str((msg.get(kind) or {}).get("id", ""))
        return f"{PLATFORM}:{media_id}" if media_id else None
    return None


def _content(msg: dict[str, Any]) -> tuple[str | None, str | None]:
    kind = msg.get("type")
    if kind == "text":
        return str((msg.get("text") or {}).get("body", "")), None
    if kind == "interactive":
        inner = msg.get("interactive") or {}
        reply = inner.get("button_reply") or inner.get("list_reply") or {}
        return None, _action(str(reply.get("id", "")))
    if kind == "button":
        return None, _action(str((msg.get("button") or {}).get("payload", "")))
    return "", None  # stickers, images, voice: the engine answers that it did not understand


def _action(payload: str) -> str:
    return payload.removeprefix(PAYLOAD_PREFIX) if payload.startswith(PAYLOAD_PREFIX) else ""


class WhatsAppBot:
    platform = PLATFORM

    def __init__(self, settings: BotSettings, engine: Engine) -> None:
        self.engine = engine
        self.settings = settings
        if not settings.whatsapp_app_secret:
            log.warning("whatsapp_app_secret_unset", effect="every delivery is refused")
        self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15))
        self.url = f"{settings.whatsapp_api_base}/{settings.whatsapp_phone_number_id}/messages"

    async def close(self) -> None:
        await self.session.close()

    async def verify(self, request: web.Request) -> web.Response:
        """Meta's subscription handshake: echo hub.challenge when the verify token matches."""
        query = request.query
        expected = self.settings.whatsapp_verify_token or ""
        given = query.get("hub.verify_token", "")
        if (
            query.get("hub.mode") != "subscribe"
            or not expected
            or not hmac.compare_digest(given.encode(), expected.encode())
        ):
            raise Problem(403, "bad-verify-token", "Forbidden", "verification refused")
        return web.Response(text=query.get("hub.challenge", ""), content_type="text/plain")

    async def webhook(self, request: web.Request) -> web.Response:
        raw = await request.read()
        secret = self.settings.whatsapp_app_secret or ""
        given = request.headers.get(SIGNATURE_HEADER, "")
        if not secret or not hmac.compare_digest(given.encode(), signature(secret, raw).encode()):
            raise Problem(401, "bad-signature", "Unauthorized", "missing or wrong signature")
        payload = parse_json_body(raw)
        svc = self.engine.svc
        for msg_id, incoming in incoming_messages(payload):
            if not await bot_chats.claim_delivery(svc.engine, PLATFORM, msg_id, svc.now()):
                log.info("bot_duplicate_delivery", platform=PLATFORM)
                continue
            try:
                replies = await self.engine.handle(incoming)
            except Exception:
                await bot_chats.release_delivery(svc.engine, PLATFORM, msg_id)
                raise
            await self.send(incoming.chat_id, replies)
        return web.json_response({"ok": True})

    async def send(self, chat_id: str, replies: Sequence[Reply]) -> None:
        """Deliver replies; a platform failure is logged, the conversation already moved on."""
        headers = {"Authorization": f"Bearer {self.settings.whatsapp_access_token}"}
        for reply in replies:
            try:
                async with self.session.post(
                    self.url, json=outgoing(chat_id, reply), headers=headers
                ) as resp:
                    if resp.status >= 400:
                        log.warning("whatsapp_send_failed", status=resp.status)
            except (aiohttp.ClientError, TimeoutError) as exc:
                log.warning("whatsapp_send_failed", error=type(exc).__name__)
