"""Dispatch: which handler answers a message (a command, else the text handler of the
conversation's state) or a tap (the handler of the button's kind, if the button is live), and
the Engine that loads the conversation, runs the turn and saves it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import structlog

from gateway.bots import parse as understand
from gateway.bots.conversation.commands import COMMANDS, OPEN_COMMANDS
from gateway.bots.conversation.draft import (
    on_amount,
    on_confirm_text,
    on_destination,
    on_field,
    on_idle,
    starts_over,
)
from gateway.bots.conversation.kyc import on_kyc_field
from gateway.bots.conversation.onboarding import on_country, on_name, on_new, on_phone
from gateway.bots.conversation.report import on_error_text
from gateway.bots.conversation.states import ONBOARDING, State
from gateway.bots.conversation.taps import PUSHED_TAPS, TAPS
from gateway.bots.conversation.turn import Incoming, Reply, Turn, short_ref
from gateway.bots.i18n import pick_language, t
from gateway.bots.ratelimit import ChatLimiter
from gateway.errors import UseCaseError
from gateway.services import Services
from gateway.usecases import bot_chats

log = structlog.get_logger("gateway.bots")

TextHandler = Callable[[Turn, str], Awaitable[None]]

S = State
TEXT: dict[State, TextHandler] = {
    S.NEW: on_new,
    S.ASK_NAME: on_name,
    S.ASK_COUNTRY: on_country,
    S.ASK_PHONE: on_phone,
    S.ASK_KYC: on_kyc_field,
    S.IDLE: on_idle,
    S.BUILDING: on_idle,
    S.ASK_DESTINATION: on_destination,
    S.ASK_METHOD: on_idle,
    S.ASK_AMOUNT: on_amount,
    S.ASK_SAVED: on_idle,
    S.ASK_FIELD: on_field,
    S.CONFIRM: on_confirm_text,
    S.ASK_ERROR_TEXT: on_error_text,
}


class Engine:
    """Answers one Incoming at a time; everything it remembers is in the database."""

    def __init__(self, svc: Services, limiter: ChatLimiter) -> None:
        self.svc = svc
        self.limiter = limiter

    async def handle(self, msg: Incoming) -> list[Reply]:
        lang = pick_language(msg.language)
        verdict = self.limiter.check(msg.platform, msg.chat_id)
        if verdict != "ok":
            log.info("bot_rate_limited", platform=msg.platform)
            if verdict == "drop":
                return []
            conv = await bot_chats.load_conversation(
                self.svc.engine, msg.platform, msg.chat_id, lang
            )
            return [Reply(t(conv.language, "rate_limited"))]
        conv = await bot_chats.load_conversation(self.svc.engine, msg.platform, msg.chat_id, lang)
        turn = Turn(self.svc, conv, msg)
        try:
            if msg.action_id is not None:
                await self._tap(turn, msg.action_id)
            else:
                await self._text(turn, (msg.text or "").strip())
        except UseCaseError as problem:
            log.warning("bot_problem", platform=msg.platform, problem=problem.slug)
            turn.replies = [Reply(t(conv.language, "error"))]
        await bot_chats.save_conversation(self.svc.engine, conv, self.svc.now())
        return turn.replies

    async def _text(self, turn: Turn, text: str) -> None:
        command = understand.command_of(text)
        onboarding = turn.conv.customer_id is None
        if command is not None and (not onboarding or command in OPEN_COMMANDS):
            await COMMANDS[command](turn)
            return
        if onboarding and turn.conv.state not in ONBOARDING:
            turn.move(State.NEW)
        if not onboarding and starts_over(text):
            turn.move(State.IDLE)  # a new one-line request replaces the draft
        await TEXT.get(turn.conv.state, on_idle)(turn, text[:500])

    async def _tap(self, turn: Turn, action_id: str) -> None:
        action = await bot_chats.get_action(self.svc.engine, turn.conv, action_id)
        if action is None:
            turn.say("stale_button")
            return
        done = (action.data or {}).get("remittance_id")
        if action.used_at is not None and done:
            turn.say("already_confirmed", ref=short_ref(done))
            return
        pushed = action.kind in PUSHED_TAPS
        live = pushed or action_id in turn.draft.get("buttons", [])
        if action.used_at is not None or not live:
            turn.say("stale_button")
            return
        if not pushed:
            turn.draft.pop("buttons", None)
        await TAPS[action.kind](turn, action)
