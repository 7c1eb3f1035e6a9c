"""The slash commands (/start, /help, /language, /status, /history, /cancel, /verify,
/report): they work in any state, and the open ones before the sender has an account."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import structlog

from gateway.bots import cancel_offer, requote
from gateway.bots.conversation.kyc import cmd_verify
from gateway.bots.conversation.onboarding import on_new
from gateway.bots.conversation.report import cmd_report
from gateway.bots.conversation.states import State
from gateway.bots.conversation.turn import Reply, Turn, money, short_ref
from gateway.bots.i18n import LANGUAGE_NAMES, LANGUAGES, status_word, t
from gateway.bots.receipt_text import with_chain
from gateway.domain.states import CANCELLABLE, CANCELLABLE_AFTER_PAYMENT
from gateway.errors import UseCaseError
from gateway.usecases import remittances

log = structlog.get_logger("gateway.bots")

HISTORY_SIZE = 5

Command = Callable[[Turn], Awaitable[None]]


async def cmd_help(turn: Turn) -> None:
    turn.say("help")


async def cmd_start(turn: Turn) -> None:
    if turn.conv.customer_id is None:
        await on_new(turn, "")
    else:
        turn.reset()
        turn.say("help")


async def cmd_language(turn: Turn) -> None:
    choices = [(LANGUAGE_NAMES[code], "language", {"language": code}) for code in LANGUAGES]
    await turn.ask(t(turn.lang, "pick_language"), choices)


def _set_language(code: str) -> Command:
    async def command(turn: Turn) -> None:
        turn.conv.language = code
        turn.say("language_set")

    return command


def _status_line(turn: Turn, rem: dict[str, Any]) -> str:
    return t(
        turn.lang,
        "status_line",
        ref=short_ref(rem["id"]),
        send=money(rem["send_amount"], rem["send_currency"]),
        receive=money(rem["receive_amount"], rem["receive_currency"]),
        status=status_word(turn.lang, rem["status"]),
    )


async def cmd_status(turn: Turn) -> None:
    recent = await turn.recent(1)
    if not recent:
        turn.say("no_transfers")
        return
    line = _status_line(turn, recent[0])
    turn.replies.append(Reply(with_chain(turn.lang, line, recent[0].get("chain_settlement"))))
    if recent[0]["status"] == "requote":  # waiting for the sender: offer the new quote again
        try:
            turn.replies += await requote.offer(
                turn.svc,
                turn.conv.platform,
                turn.conv.chat_id,
                turn.lang,
                recent[0]["id"],
                intro="requote_status",
            )
        except UseCaseError as problem:
            log.info("bot_requote_not_offered", problem=problem.slug)
    turn.replies += await cancel_offer.offer(
        turn.svc, turn.conv.platform, turn.conv.chat_id, turn.lang, recent[0]
    )


async def cmd_history(turn: Turn) -> None:
    recent = await turn.recent(HISTORY_SIZE)
    if not recent:
        turn.say("no_transfers")
        return
    lines = [t(turn.lang, "history_header"), *(_status_line(turn, r) for r in recent)]
    turn.replies.append(Reply("\n".join(lines)))


async def cmd_cancel(turn: Turn) -> None:
    if turn.conv.state not in (State.IDLE, State.NEW):
        turn.reset()
        turn.say("cancelled_draft")
        return
    recent = await turn.recent(1)
    if not recent:
        turn.say("nothing_to_cancel")
        return
    rem = recent[0]
    ref = short_ref(rem["id"])
    paid = rem["status"] in {s.value for s in CANCELLABLE_AFTER_PAYMENT}
    if rem["status"] not in {s.value for s in CANCELLABLE} and not paid:
        turn.say("cannot_cancel", ref=ref, status=status_word(turn.lang, rem["status"]))
        return
    try:
        await remittances.cancel_remittance(turn.svc, turn.caller, rem["id"])
    except UseCaseError:  # after payment: the window closed, or the partner has it
        turn.say("cannot_cancel", ref=ref, status=status_word(turn.lang, rem["status"]))
        return
    turn.say("cancel_requested" if paid else "cancelled_remittance", ref=ref)


COMMANDS: dict[str, Command] = {
    "start": cmd_start,
    "help": cmd_help,
    "language": cmd_language,
    "status": cmd_status,
    "history": cmd_history,
    "cancel": cmd_cancel,
    "verify": cmd_verify,
    "report": cmd_report,
    **{f"lang:{code}": _set_language(code) for code in LANGUAGES},
}
# Commands that work before the sender has an account.
OPEN_COMMANDS = frozenset({"start", "help", "language", *(f"lang:{c}" for c in LANGUAGES)})
