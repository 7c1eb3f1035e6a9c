"""Travel-rule answers: while the chat's latest transfer is held for the sender's originator
data, a plain message answers the first field it asks for, through the same use case as
POST /v1/remittances/{id}/travel-rule (answers collect in the draft until all are there)."""

from __future__ import annotations

from gateway.bots.conversation.turn import Turn, short_ref
from gateway.bots.i18n import t
from gateway.errors import UseCaseError
from gateway.usecases import travel_hold, travel_rule
from gateway.usecases.requests.base import parse
from gateway.usecases.requests.travel_rule import TravelRuleSender


async def answer(turn: Turn, text: str) -> bool:
    """The latest transfer is held for travel-rule data: the text answers the first field it
    asks for (answers collect in the draft until every field is there)."""
    recent = await turn.recent(1)
    if not recent or recent[0]["status"] != "needs_info":
        return False
    rid = recent[0]["id"]
    fields = await travel_hold.missing_for(turn.svc, turn.caller, rid)
    keys = [f.removeprefix("sender.") for f in fields or ()]
    if not keys or keys[0] not in travel_rule.SUPPLIABLE:
        return False
    answers = {**turn.draft.get("travel", {}), keys[0]: text.strip()[:300]}
    label = t(turn.lang, f"travel_{keys[0]}")
    try:
        parse(TravelRuleSender, answers)
        travel_hold.check_supplied(turn.svc, answers)
    except UseCaseError:
        turn.say("travel_bad", label=label)
        return True
    try:
        await travel_hold.supply(turn.svc, turn.caller, rid, answers)
    except UseCaseError as problem:
        left = [e["field"].removeprefix("sender.") for e in problem.errors]
        if problem.status != 422 or not left or left[0] not in travel_rule.SUPPLIABLE:
            raise
        turn.draft["travel"] = answers
        turn.say("travel_next", label=t(turn.lang, f"travel_{left[0]}"))
        return True
    turn.draft.pop("travel", None)
    turn.say("travel_supplied", ref=short_ref(rid))
    return True
