"""The bots' side of requote: when a remittance's quote lapsed (while it was held for review, or
before funding), the sender is pushed a new firm quote with Accept and Cancel buttons. Both act
through the same use cases as POST /v1/remittances/{id}/requote and .../accept-quote, so a tap
can do nothing the API would refuse. The buttons are pushed outside a conversation turn, so they
stay live until used; each handler checks that the remittance still waits for them."""

from __future__ import annotations

from typing import Any

import structlog

from gateway.bots.conversation.turn import (
    Button,
    Reply,
    Turn,
    bot_caller,
    money,
    quote_text,
    short_ref,
)
from gateway.bots.i18n import status_word, t
from gateway.domain.states import Status
from gateway.errors import UseCaseError
from gateway.services import Services
from gateway.usecases import bot_chats, remittances, requotes
from gateway.usecases.requests.remittances import AcceptQuoteRequest

log = structlog.get_logger("gateway.bots.requote")

ACCEPT = "accept_quote"
CANCEL = "cancel_requote"
KINDS = frozenset({ACCEPT, CANCEL})


async def offer(
    svc: Services, platform: str, chat_id: str, lang: str, remittance_id: str, *, intro: str
) -> list[Reply]:
    """Offer a new quote for a remittance in requote: the quote with its disclosure, then the
    buttons (a message of its own, so WhatsApp's 1024-character limit on a message with
    buttons never cuts the disclosure). Raises UseCaseError when no quote can be offered."""
    caller = bot_caller(platform)
    quote = await requotes.offer_quote(svc, caller, remittance_id)
    rem = await remittances.get_remittance(svc, caller, remittance_id)
    ref = short_ref(remittance_id)
    text = (
        t(lang, intro, ref=ref)
        + "\n"
        + quote_text(lang, quote, rem["recipient"]["name"], svc.now())
    )
    chat = bot_chats.Conversation(platform, chat_id, lang)
    now = svc.now()
    accept = await bot_chats.create_action(
        svc.engine, chat, ACCEPT, {"remittance_id": remittance_id, "quote_id": quote["id"]}, now
    )
    cancel = await bot_chats.create_action(
        svc.engine, chat, CANCEL, {"remittance_id": remittance_id}, now
    )
    buttons = (Button(t(lang, "btn_accept"), accept), Button(t(lang, "btn_cancel"), cancel))
    return [Reply(text), Reply(t(lang, "tap_accept", ref=ref), buttons)]


async def push(svc: Services, chat: Any, rem: dict[str, Any], after: str | None) -> list[Reply]:
    """What the notifier sends when a remittance enters requote (`after` the state it left):
    nothing if it has moved on since, the new quote with buttons, or (no quote can be priced
    now) how to ask again."""
    if rem["status"] != Status.REQUOTE:
        return []
    intro = "push_requote" if after == Status.APPROVED else "push_requote_lapsed"
    try:
        return await offer(svc, chat.platform, chat.chat_id, chat.language, rem["id"], intro=intro)
    except UseCaseError as problem:
        log.warning("bot_requote_not_offered", problem=problem.slug)
        return [Reply(t(chat.language, "requote_later", ref=short_ref(rem["id"])))]


async def tap_accept(turn: Turn, action: Any) -> None:
    rem_id, quote_id = action.data["remittance_id"], action.data["quote_id"]
    ref = short_ref(rem_id)
    request = AcceptQuoteRequest(quote_id=quote_id)
    try:
        body = await requotes.accept_quote(turn.svc, turn.caller, rem_id, request)
    except UseCaseError as problem:
        log.info("bot_accept_refused", problem=problem.slug)
        await bot_chats.use_action(
            turn.svc.engine, action.id, {"refused": problem.slug}, turn.svc.now()
        )
        if problem.slug == "quote-expired":
            turn.replies += await offer(
                turn.svc,
                turn.conv.platform,
                turn.conv.chat_id,
                turn.lang,
                rem_id,
                intro="requote_refreshed",
            )
            return
        await _gone(turn, rem_id)
        return
    done = {"remittance_id": rem_id, "quote_id": quote_id}
    await bot_chats.use_action(turn.svc.engine, action.id, done, turn.svc.now())
    receive = money(body["receive_amount"], body["receive_currency"])
    turn.say("requote_accepted", ref=ref, name=body["recipient"]["name"], receive=receive)


async def tap_cancel(turn: Turn, action: Any) -> None:
    rem_id = action.data["remittance_id"]
    await bot_chats.use_action(turn.svc.engine, action.id, {"cancelled": True}, turn.svc.now())
    rem = await remittances.get_remittance(turn.svc, turn.caller, rem_id)
    if rem["status"] != Status.REQUOTE:  # accepted meanwhile: /cancel still cancels it
        await _gone(turn, rem_id, rem)
        return
    try:
        await remittances.cancel_remittance(turn.svc, turn.caller, rem_id)
    except UseCaseError:
        await _gone(turn, rem_id)
        return
    turn.say("cancelled_remittance", ref=short_ref(rem_id))


async def _gone(turn: Turn, rem_id: str, rem: dict[str, Any] | None = None) -> None:
    rem = rem or await remittances.get_remittance(turn.svc, turn.caller, rem_id)
    status = status_word(turn.lang, rem["status"])
    turn.say("requote_gone", ref=short_ref(rem_id), status=status)
