"""The recipient's fields: a saved recipient of the corridor offered first, else each field the
corridor requires asked with its example, and the whole checked by the corridor's validator."""

from __future__ import annotations

from typing import Any

from corridors.config import Corridor
from corridors.recipients import RecipientInvalid, requirements, validate_recipient
from gateway.bots.conversation.states import State
from gateway.bots.conversation.turn import Turn
from gateway.bots.i18n import field_label, t
from gateway.usecases import bot_chats


def _field_spec(corridor: Corridor, key: str) -> dict[str, Any]:
    return next(s for s in requirements(corridor) if s["key"] == key)


def _label(turn: Turn, spec: dict[str, Any]) -> str:
    return field_label(turn.lang, spec["key"], spec["name"])


def take_field(turn: Turn, text: str) -> bool:
    """The answer to the field asked, kept in the draft unless the validator refuses it."""
    corridor = turn.svc.corridors[turn.draft["corridor_id"]]
    key = turn.draft["field"]
    values = {**turn.draft.get("recipient", {}), key: text.strip()[:200]}
    spec = _field_spec(corridor, key)
    try:
        validate_recipient(corridor, values)
    except RecipientInvalid as exc:
        if any(e["field"] == f"recipient.{key}" for e in exc.errors):
            turn.say("bad_field", label=_label(turn, spec), example=spec["example"])
            return False
    turn.draft["recipient"] = values
    return True


async def ask_recipient(turn: Turn, corridor: Corridor) -> bool:
    """True when the draft's recipient is complete and valid; else asks for what is missing
    (a saved recipient, or the next field) and returns False."""
    draft = turn.draft
    if not draft.get("recipient_started"):
        draft["recipient_started"] = True
        saved = await bot_chats.saved_recipients(turn.svc.engine, turn.conv, corridor.id)
        if saved:
            turn.move(State.ASK_SAVED)
            choices = [(r.data["name"][:20], "saved", {"recipient": dict(r.data)}) for r in saved]
            choices.append((t(turn.lang, "btn_new_recipient"), "new_recipient", {}))
            await turn.ask(t(turn.lang, "ask_saved"), choices)
            return False
    recipient = draft.setdefault("recipient", {})
    for spec in requirements(corridor):
        if spec["required"] and spec["key"] not in recipient:
            draft["field"] = spec["key"]
            turn.move(State.ASK_FIELD)
            turn.say("ask_field", label=_label(turn, spec), example=spec["example"])
            return False
    try:
        draft["recipient"] = validate_recipient(corridor, recipient)
    except RecipientInvalid as exc:
        key = exc.errors[0]["field"].removeprefix("recipient.")
        draft["recipient"] = {}
        turn.say("bad_recipient", label=_label(turn, _field_spec(corridor, key)))
        return await ask_recipient(turn, corridor)  # the first field again
    return True
