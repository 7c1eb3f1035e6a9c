"""The bots offer a "cancel" button while the regime's cancellation window is open (12 CFR
1005.34: 30 minutes after payment): pushed with the receipt and on /status, a tap cancels
through the same use case as POST /v1/remittances/{id}/cancel, so it can do nothing the API
would refuse (after the window: refused, and the sender is told when it closed). The button is
pushed outside a conversation turn, so it stays live until used or the window closes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import structlog

from gateway.bots.conversation.turn import Button, Reply, Turn, bot_caller, short_ref
from gateway.bots.i18n import status_word, t
from gateway.domain.states import CANCELLABLE_AFTER_PAYMENT
from gateway.errors import UseCaseError
from gateway.services import Services
from gateway.usecases import bot_chats, receipts, remittances

log = structlog.get_logger("gateway.bots.cancel_offer")

KIND = "cancel_paid"
_OPEN = {s.value for s in CANCELLABLE_AFTER_PAYMENT} | {"funded", "converted"}


def _when(iso: str) -> str:
    return datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M")


async def offer(
    svc: Services, platform: str, chat_id: str, lang: str, rem: dict[str, Any], receipt=None
) -> list[Reply]:
    """The button, if the transfer is paid, not yet paid out, and inside the window."""
    if rem["status"] not in _OPEN:
        return []
    caller_receipt = receipt
    if caller_receipt is None:
        try:
            caller_receipt = await receipts.receipt_view(svc, bot_caller(platform), rem["id"])
        except UseCaseError:
            return []
    until = caller_receipt["rights"]["cancellation"]["cancel_by"]
    if svc.now() >= datetime.fromisoformat(until):
        return []
    chat = bot_chats.Conversation(platform, chat_id, lang)
    action = await bot_chats.create_action(svc.engine, chat, KIND, {"id": rem["id"]}, svc.now())
    ref = short_ref(rem["id"])
    text = t(lang, "offer_cancel", ref=ref, until=_when(until))
    return [Reply(text, (Button(t(lang, "btn_cancel_transfer"), action),))]


async def tap(turn: Turn, action: Any) -> None:
    rem_id = action.data["id"]
    ref = short_ref(rem_id)
    await bot_chats.use_action(
        turn.svc.engine, action.id, {"cancel_requested": True}, turn.svc.now()
    )
    try:
        await remittances.cancel_remittance(turn.svc, turn.caller, rem_id)
    except UseCaseError as problem:
        log.info("bot_cancel_refused", problem=problem.slug)
        if problem.slug == "cancellation-window-closed":
            closed = problem.extra.get("window_closed_at")
            turn.say("cancel_window_closed", ref=ref, until=_when(closed) if closed else "-")
            return
        rem = await remittances.get_remittance(turn.svc, turn.caller, rem_id)
        turn.say("cannot_cancel", ref=ref, status=status_word(turn.lang, rem["status"]))
        return
    turn.svc.wake_workers()
    turn.say("cancel_requested", ref=ref)
