"""The draft transfer: a send request starts one ("send 200 USD to the Philippines"), and each
turn asks for its first missing piece (destination, payout method, amount, recipient) until it
can be quoted. The text handlers of the draft's states live here, so that the pieces' modules
never need to call back into the walk."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from corridors.config import Corridor
from fx.money import AmountError, CurrencyError, Money
from gateway.bots import parse as understand
from gateway.bots.conversation import destination, recipient, travel
from gateway.bots.conversation.onboarding import on_phone
from gateway.bots.conversation.quote import send_quote
from gateway.bots.conversation.states import State
from gateway.bots.conversation.turn import Turn


async def on_idle(turn: Turn, text: str) -> None:
    if turn.msg.shared_contact:  # a verified number for a sender who had none
        await on_phone(turn, text)
        return
    if not understand.is_send_request(text) and await travel.answer(turn, text):
        return
    intent = understand.send_intent(text)
    if not understand.is_send_request(text) and not (intent.amount and intent.country):
        turn.say("not_understood")
        return
    if intent.amount_error:
        turn.say(intent.amount_error)
        return
    if intent.unknown_place:
        turn.say(
            "unsupported_country",
            country=intent.unknown_place[:40],
            countries=destination.countries_text(turn),
        )
        return
    if not await destination.may_send(turn):
        return
    turn.reset(State.BUILDING)
    for key in ("amount", "currency", "country"):
        if getattr(intent, key):
            turn.draft[key] = getattr(intent, key)
    if "country" in turn.draft and not await destination.check_destination(turn):
        turn.reset()
        return
    await advance(turn)


def starts_over(text: str) -> bool:
    """A new one-line request ("send 50 to Kenya") replaces whatever draft there was."""
    intent = understand.send_intent(text)
    return understand.is_send_request(text) and bool(
        intent.amount or intent.country or intent.unknown_place or intent.amount_error
    )


async def on_destination(turn: Turn, text: str) -> None:
    if understand.command_of(text) is None and understand.is_send_request(text):
        await on_idle(turn, text)
        return
    if await destination.take_destination(turn, text):
        await advance(turn)


async def on_amount(turn: Turn, text: str) -> None:
    amount, error = understand.amount_of(text)
    if error or amount is None:
        turn.say(error or "bad_amount")
        return
    turn.draft["amount"] = amount
    await advance(turn)


async def on_field(turn: Turn, text: str) -> None:
    if recipient.take_field(turn, text):
        await advance(turn)


async def on_confirm_text(turn: Turn, text: str) -> None:
    if understand.is_send_request(text):
        await on_idle(turn, text)
        return
    turn.say("tap_confirm")


def _amount_problem(corridor: Corridor, amount: str) -> tuple[str, dict[str, Any]] | None:
    try:
        value = Money.parse(amount, corridor.send_currency)
    except (AmountError, CurrencyError):
        return "bad_amount", {}
    if value.amount <= Decimal(0):
        return "amount_not_positive", {}
    if not corridor.min_send <= value.amount <= corridor.max_send:
        return "amount_range", {
            "min": corridor.min_send,
            "max": corridor.max_send,
            "currency": corridor.send_currency,
        }
    return None


async def advance(turn: Turn) -> None:
    """Ask for the first missing piece of the draft, or quote when nothing is missing."""
    draft = turn.draft
    if "country" not in draft:
        destination.ask_destination(turn)
        return
    if "corridor_id" not in draft and not await destination.pick_corridor(turn):
        return
    corridor = turn.svc.corridors[draft["corridor_id"]]
    draft["currency"] = corridor.send_currency
    problem = _amount_problem(corridor, draft["amount"]) if "amount" in draft else None
    if problem is not None:
        draft.pop("amount")
        turn.say(problem[0], **problem[1])
    if "amount" not in draft:
        turn.move(State.ASK_AMOUNT)
        turn.say(
            "ask_amount",
            currency=corridor.send_currency,
            min=corridor.min_send,
            max=corridor.max_send,
        )
        return
    if await recipient.ask_recipient(turn, corridor):
        await send_quote(turn, corridor)
