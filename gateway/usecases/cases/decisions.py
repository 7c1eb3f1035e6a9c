"""Claiming a case and deciding it (four eyes where the rules ask): the decision moves the held
remittance, with an audit entry in the same transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from compliance.cases import OPEN_STATUSES, DecisionRefused, decide
from gateway.domain.callers import Caller
from gateway.domain.states import IllegalTransition, Status, held_from
from gateway.errors import Conflict, field_error
from gateway.ids import new_id
from gateway.services import Services
from gateway.storage import cases as store
from gateway.storage import remittances as rem_store
from gateway.usecases import audit_trail
from gateway.usecases.cases.access import require
from gateway.usecases.cases.queue import case_detail, case_row, officer_names

# What the sender's app sees in the remittance history (the officer's reason stays internal).
SENDER_TEXT = {
    "approved": "approved by compliance review",
    "rejected": "rejected by compliance review",
    "needs_info": "compliance review needs more information",
}


async def _set_case(conn: AsyncConnection, row: Any, now, **values: Any) -> None:
    """Update only if the case is still as we read it (two officers at once: one wins)."""
    if not await store.update_unchanged(conn, row, now, **values):
        raise Conflict("state-changed", "State changed", "the case changed meanwhile; reload it")


async def claim(
    svc: Services, caller: Caller, case_id: str, assignee_id: str | None = None
) -> dict[str, Any]:
    """Claim a case for oneself, or (supervisors) assign it to another officer."""
    require(caller, "claim")
    target = assignee_id or caller.key_id
    if target != caller.key_id:
        require(caller, "assign")
    now = svc.now()
    async with svc.engine.begin() as conn:
        row = await case_row(conn, case_id)
        if row.status not in OPEN_STATUSES:
            raise Conflict("case-closed", "Case closed", f"the case is {row.status}")
        if target not in await officer_names(conn):
            raise field_error("officer_id", "unknown officer")
        if row.assignee_id != target:
            await _set_case(conn, row, now, assignee_id=target, claimed_at=now)
            await audit_trail.record(
                svc,
                conn,
                now,
                caller.key_id,
                "case.assign" if assignee_id else "case.claim",
                case_id,
                before={"assignee_id": row.assignee_id},
                after={"assignee_id": target},
            )
    return await case_detail(svc, caller, case_id)


async def _replay(conn: AsyncConnection, row: Any, caller: Caller, action: str) -> bool:
    """The same officer repeating the decision that produced the case's current status."""
    last = await store.last_decision(conn, row.id)
    return (
        last is not None
        and last.officer_id == caller.key_id
        and last.action == action
        and last.case_status == row.status
    )


async def decide_case(
    svc: Services,
    caller: Caller,
    case_id: str,
    action: str,
    reason: str,
    message: str | None = None,
) -> tuple[dict[str, Any], bool]:
    """Record a decision and move the remittance; returns (case, replayed). Repeating one's own
    last decision changes nothing and answers the same (idempotent)."""
    require(caller, "decide")
    now = svc.now()
    async with svc.engine.begin() as conn:
        row = await case_row(conn, case_id)
        if await _replay(conn, row, caller, action):
            replayed = True
        else:
            replayed = False
            try:
                move = decide(
                    case_status=row.status,
                    action=action,
                    risk_score=row.risk_score,
                    four_eyes_risk=svc.settings.four_eyes_risk,
                    officer_id=caller.key_id,
                    first_approver_id=row.first_approver_id,
                )
            except DecisionRefused as exc:
                raise Conflict(exc.code, "Decision refused", exc.message) from None
            decision_id = new_id("dec")
            await store.add_decision(
                conn,
                decision_id,
                case_id,
                now,
                officer_id=caller.key_id,
                action=action,
                case_status=move.case_status,
                reason=reason,
                message=message,
            )
            extra: dict[str, Any] = {"status": move.case_status}
            moved_to = row.remittance_status
            if move.remittance_status is None:
                extra["first_approver_id"] = caller.key_id
            else:
                extra["decided_at"] = now
                moved_to = await _move_remittance(conn, row, move.remittance_status, message, now)
            await _set_case(conn, row, now, **extra)
            before = {"case_status": row.status, "remittance_status": row.remittance_status}
            after = {"case_status": move.case_status, "remittance_status": moved_to}
            after |= {"decision_id": decision_id, "remittance_id": row.remittance_id}
            await audit_trail.record(
                svc, conn, now, caller.key_id, f"case.{action}", case_id, before=before, after=after
            )
    if not replayed and action in ("approve", "reject"):
        svc.wake_workers()
    return await case_detail(svc, caller, case_id), replayed


async def _move_remittance(
    conn: AsyncConnection, row: Any, target: str, message: str | None, now
) -> str:
    """on_hold -> approved | rejected | needs_info. A transfer held with the sender's money
    taken (a re-screening hit once funded) is not rejected outright: it goes to failed, whose
    refund step returns all of it (principal and fee) through the ledger, then refunded. A
    case re-screening opened too late (the partner had paid, or had taken it on) moves
    nothing: the decision is the officers' record of it. Returns the remittance's state after."""
    text = SENDER_TEXT[target]
    if target == Status.NEEDS_INFO and message:
        text = f"{text}: {message}"
    if (row.evidence or {}).get("too_late") and row.remittance_status != Status.ON_HOLD:
        return row.remittance_status
    fields: dict[str, Any] = {}
    if target == Status.REJECTED:
        history = await rem_store.history(conn, row.remittance_id)
        if held_from(history) is not None:
            target = Status.FAILED
            text = f"{text}; the money is returned in full"
            fields["failure_reason"] = "rejected_by_compliance"
    try:
        await rem_store.transition(
            conn, row.remittance_id, row.remittance_status, target, now=now, reason=text, **fields
        )
    except (rem_store.StaleState, IllegalTransition):
        raise Conflict(
            "state-changed",
            "Remittance not on hold",
            f"the remittance is {row.remittance_status}; it cannot become {target}",
        ) from None
    return target
