"""Telegram adapter: aiogram 3 in webhook mode. The gateway's route hands each update to an
aiogram Dispatcher; its handlers translate messages and button taps into `Incoming` and the
engine's replies into sendMessage calls with inline keyboards."""

from __future__ import annotations

import hmac
from collections.abc import Sequence

import structlog
from aiogram import Bot, Dispatcher, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    Update,
)
from aiohttp import web
from pydantic import ValidationError

from gateway.api.http import parse_json_body
from gateway.api.problems import Problem
from gateway.bots.conversation.dispatch import Engine
from gateway.bots.conversation.turn import Incoming, Reply
from gateway.config import BotSettings
from gateway.usecases import bot_chats

log = structlog.get_logger("gateway.bots.telegram")

PLATFORM = "telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
PAYLOAD_PREFIX = "a:"


def keyboard(reply: Reply) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | None:
    if reply.request_phone:  # Telegram's contact-share button: the number of this account
        button = KeyboardButton(text=reply.request_phone, request_contact=True)
        return ReplyKeyboardMarkup(
            keyboard=[[button]], resize_keyboard=True, one_time_keyboard=True
        )
    if not reply.buttons:
        return None
    rows = [
        [InlineKeyboardButton(text=b.label, callback_data=PAYLOAD_PREFIX + b.action_id)]
        for b in reply.buttons
    ]
    return InlineKeyboardMarkup(inline_keyboard=rows)


def own_number(phone: str) -> str:
    """Telegram sends the number without the leading "+" (as digits): E.164 wants it."""
    digits = phone.strip().replace(" ", "")
    return digits if digits.startswith("+") else "+" + digits


def attachment_of(message: Message) -> str | None:
    """A photo (its largest size) or a document as "telegram:<file id>": the document's
    reference kept as the KYC field's value (the file stays on Telegram until fetched)."""
    if message.photo:
        return f"{PLATFORM}:{message.photo[-1].file_id}"
    if message.document:
        return f"{PLATFORM}:{message.document.file_id}"
    return None


class TelegramBot:
    platform = PLATFORM

    def __init__(self, settings: BotSettings, engine: Engine) -> None:
        if not settings.telegram_bot_token:
            raise ValueError("REMIT_TELEGRAM_BOT_TOKEN is not set")
        self.engine = engine
        self.secret = settings.telegram_webhook_secret or ""
        if not self.secret:
            log.warning("telegram_webhook_secret_unset", effect="every update is refused")
        server = TelegramAPIServer.from_base(settings.telegram_api_base)
        self.bot = Bot(settings.telegram_bot_token, session=AiohttpSession(api=server))
        router = Router(name="remit")
        router.message.register(self._on_message)
        router.callback_query.register(self._on_tap)
        self.dispatcher = Dispatcher()
        self.dispatcher.include_router(router)

    async def close(self) -> None:
        await self.bot.session.close()

    async def webhook(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not self.secret or not hmac.compare_digest(given.encode(), self.secret.encode()):
            raise Problem(401, "bad-secret", "Unauthorized", "missing or wrong secret token")
        try:
            update = Update.model_validate(parse_json_body(await request.read()))
        except ValidationError:
            raise Problem(
                400, "malformed-update", "Malformed update", "not a Telegram update"
            ) from None
        svc = self.engine.svc
        delivery = str(update.update_id)
        if not await bot_chats.claim_delivery(svc.engine, PLATFORM, delivery, svc.now()):
            log.info("bot_duplicate_delivery", platform=PLATFORM)
            return web.json_response({"ok": True, "duplicate": True})
        try:
            await self.dispatcher.feed_update(self.bot, update)
        except Exception:
            await bot_chats.release_delivery(svc.engine, PLATFORM, delivery)
            raise
        return web.json_response({"ok": True})

    async def _on_message(self, message: Message) -> None:
        user = message.from_user
        contact = message.contact
        # A contact verifies the phone only when it is the sender's own account's (Telegram
        # fills user_id for a contact shared with the request_contact button).
        own = contact is not None and user is not None and contact.user_id == user.id
        incoming = Incoming(
            PLATFORM,
            str(message.chat.id),
            text=message.text or "",
            language=user.language_code if user else None,
            phone=own_number(contact.phone_number) if own and contact else None,
            shared_contact=contact is not None,
            attachment=attachment_of(message),
        )
        await self.send(incoming.chat_id, await self.engine.handle(incoming))

    async def _on_tap(self, query: CallbackQuery) -> None:
        chat_id = str(query.message.chat.id if query.message else query.from_user.id)
        data = query.data or ""
        incoming = Incoming(
            PLATFORM,
            chat_id,
            action_id=data.removeprefix(PAYLOAD_PREFIX) if data.startswith(PAYLOAD_PREFIX) else "",
            language=query.from_user.language_code,
        )
        replies = await self.engine.handle(incoming)
        try:
            await self.bot.answer_callback_query(query.id)
        except Exception:  # the spinner stopping is cosmetic
            log.info("telegram_answer_failed")
        await self.send(chat_id, replies)

    async def send(self, chat_id: str, replies: Sequence[Reply]) -> None:
        """Deliver replies; a platform failure is logged, the conversation already moved on."""
        for reply in replies:
            try:
                await self.bot.send_message(
                    chat_id=int(chat_id), text=reply.text, reply_markup=keyboard(reply)
                )
            except Exception as exc:
                log.warning("telegram_send_failed", error=type(exc).__name__)
