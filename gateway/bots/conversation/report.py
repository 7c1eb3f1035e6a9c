"""Error reports (/report): the kind of error on the chat's latest transfer (buttons), then a
few words, filed through the same use case as POST /v1/remittances/{id}/errors."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from gateway.bots.conversation.states import State
from gateway.bots.conversation.turn import Turn, short_ref
from gateway.bots.i18n import t
from gateway.errors import UseCaseError
from gateway.usecases import error_reports

ERROR_KINDS = ("wrong_amount", "not_received", "late")


async def cmd_report(turn: Turn) -> None:
    """Report an error on the latest transfer: what kind (buttons), then a few words."""
    recent = await turn.recent(1)
    if not recent:
        turn.say("nothing_to_report")
        return
    turn.reset()
    ref = short_ref(recent[0]["id"])
    choices = [
        (t(turn.lang, f"btn_err_{kind}"), "error_kind", {"id": recent[0]["id"], "kind": kind})
        for kind in ERROR_KINDS
    ]
    await turn.ask(t(turn.lang, "ask_error_kind", ref=ref), choices)


async def tap_error_kind(turn: Turn, action: Any) -> None:
    turn.reset(State.ASK_ERROR_TEXT)
    turn.draft.update(remittance_id=action.data["id"], kind=action.data["kind"])
    turn.say("ask_error_text")


async def on_error_text(turn: Turn, text: str) -> None:
    rid, kind = turn.draft["remittance_id"], turn.draft["kind"]
    ref = short_ref(rid)
    turn.reset()
    try:
        case = await error_reports.report_error(turn.svc, turn.caller, rid, kind, text[:1000])
    except UseCaseError as problem:
        if problem.slug == "error-report-window-closed":
            last_day = str(problem.detail).rsplit(" ", 1)[-1]
            turn.say("report_window_closed", ref=ref, last_day=last_day)
        elif problem.status == 409:
            turn.say("report_not_paid", ref=ref)
        else:
            raise
        return
    ack = datetime.fromisoformat(case["clocks"]["acknowledge_by"]["due"])
    turn.say("error_reported", ref=ref, case=case["id"], ack=ack.strftime("%Y-%m-%d %H:%M"))
