"""What a tapped button does, by its kind (the kind is stored with the button's action)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from gateway.bots import cancel_offer, requote
from gateway.bots.conversation.draft import advance
from gateway.bots.conversation.quote import tap_cancel, tap_confirm
from gateway.bots.conversation.report import tap_error_kind
from gateway.bots.conversation.turn import Turn

TapHandler = Callable[[Turn, Any], Awaitable[None]]


async def tap_method(turn: Turn, action: Any) -> None:
    turn.draft["corridor_id"] = action.data["corridor_id"]
    await advance(turn)


async def tap_saved(turn: Turn, action: Any) -> None:
    turn.draft["recipient"] = dict(action.data["recipient"])
    await advance(turn)


async def tap_new_recipient(turn: Turn, action: Any) -> None:
    turn.draft["recipient"] = {}
    await advance(turn)


async def tap_language(turn: Turn, action: Any) -> None:
    turn.conv.language = action.data["language"]
    turn.draft.pop("buttons", None)
    turn.say("language_set")


TAPS: dict[str, TapHandler] = {
    "confirm": tap_confirm,
    "cancel": tap_cancel,
    requote.ACCEPT: requote.tap_accept,
    requote.CANCEL: requote.tap_cancel,
    "method": tap_method,
    "saved": tap_saved,
    "new_recipient": tap_new_recipient,
    "language": tap_language,
    "error_kind": tap_error_kind,
    cancel_offer.KIND: cancel_offer.tap,
}
# Buttons the notifier pushes outside a turn (a new quote after a hold): live until used, not
# only while they are the latest prompt; their handlers check the remittance still waits.
PUSHED_TAPS = frozenset({requote.ACCEPT, requote.CANCEL, cancel_offer.KIND})
