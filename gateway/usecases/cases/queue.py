"""The officers' queue and one case with its evidence, as an officer reads it (the read itself
is audited)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from compliance.cases import OPEN_STATUSES, rules_of
from gateway.domain.callers import Caller
from gateway.domain.states import Status, held_from
from gateway.errors import NotFound
from gateway.services import Services
from gateway.storage import cases as store
from gateway.storage import customers as customer_store
from gateway.storage import officers as officer_store
from gateway.storage import remittances as rem_store
from gateway.usecases import audit_trail, identity, requotes
from gateway.usecases.cases.access import require
from gateway.usecases.customers import personal_view
from gateway.usecases.remittances import remittance_view
from ledger_adapter.sessions import reading


def sender_view(row: Any) -> dict[str, Any]:
    """The sender as a reviewer sees them (the KYC area's view carries more than a case needs)."""
    return {**personal_view(row), "tier": row.tier, "status": row.status}


def _case_summary(row: Any, names: Mapping[str, str]) -> dict[str, Any]:
    return {
        "id": row.id,
        "remittance_id": row.remittance_id,
        "status": row.status,
        "risk_score": row.risk_score,
        "rules": rules_of(row.evidence or {}),
        "corridor_id": row.corridor_id,
        "remittance_status": row.remittance_status,
        "assignee_id": row.assignee_id,
        "assignee": names.get(row.assignee_id) if row.assignee_id else None,
        "first_approver_id": row.first_approver_id,
        "list_version": row.list_version,
        "created_at": row.created_at.isoformat(),
        "updated_at": row.updated_at.isoformat(),
    }


async def officer_names(conn: AsyncConnection) -> dict[str, str]:
    return {r.id: r.username for r in await officer_store.list_officers(conn)}


async def queue(
    svc: Services,
    caller: Caller,
    *,
    status: str | None = None,
    corridor: str | None = None,
    rule: str | None = None,
    assignee: str | None = None,
    limit: int = 200,
) -> list[dict[str, Any]]:
    """Cases by risk (highest first), then age (oldest first). `assignee` is a username, an
    officer id, "me" or "none"."""
    require(caller, "read")
    statuses = None if status == "all" else [status] if status else list(OPEN_STATUSES)
    async with reading(svc.engine) as conn:
        names = await officer_names(conn)
        ids = None
        if assignee and assignee != "none":
            wanted = caller.key_id if assignee == "me" else assignee
            ids = {wanted} | {i for i, n in names.items() if n == wanted}
        rows = await store.queue(
            conn,
            statuses=statuses,
            corridor=corridor,
            assignees=ids,
            unassigned=assignee == "none",
            limit=limit if not rule else 5000,
        )
    out = [_case_summary(r, names) for r in rows]
    if rule:
        out = [c for c in out if rule in c["rules"]][:limit]
    return out


async def case_row(conn: AsyncConnection, case_id: str) -> Any:
    row = await store.case(conn, case_id)
    if row is None:
        raise NotFound(f"case {case_id}")
    return row


def _decision_view(row: Any, names: Mapping[str, str]) -> dict[str, Any]:
    return {
        "id": row.id,
        "case_id": row.case_id,
        "officer_id": row.officer_id,
        "officer": names.get(row.officer_id),
        "decision": row.action,
        "reason": row.reason,
        "message": row.message,
        "case_status": row.case_status,
        "at": row.created_at.isoformat(),
    }


DEFAULT_READ_REASON = "case review"

MONEY_SUMMARY = {
    "none": "no money taken: the sender has not paid",
    Status.FUNDED: "the sender's money is in; nothing converted or sent to the partner",
    Status.CONVERTED: "the sender's money is in and converted into the settlement coin; "
    "nothing sent to the partner",
    Status.WITHDRAWING: "withdrawn from the payout partner; the coin stays reserved to it "
    "(pending) until the decision",
}


def money_view(rem: Any, frm: Status | None, evidence: Mapping[str, Any]) -> dict[str, Any]:
    """Where the sender's money is, for the officer deciding (rejecting a funded transfer
    refunds it in full; approving resumes it, a withdrawn one is refunded)."""
    status = Status(rem.status)
    if evidence.get("too_late"):
        summary = f"too late to hold: {evidence['too_late']} ({status})"
    elif status == Status.WITHDRAWING:
        summary = "being withdrawn from the payout partner; it is decided once on hold"
    elif status in (Status.ON_HOLD, Status.NEEDS_INFO):
        summary = MONEY_SUMMARY[frm or "none"]
    else:
        summary = f"the remittance is {status}"
    return {"state": status.value, "held_from": frm.value if frm else None, "summary": summary}


async def case_detail(
    svc: Services, caller: Caller, case_id: str, reason: str | None = None
) -> dict[str, Any]:
    """Everything a reviewer needs on one page: evidence, both parties, the remittance and its
    history, earlier decisions and the sender's answers. Decrypted personal data: the reading
    is written to the audit log with the officer and the reason (ids only, never the values)."""
    require(caller, "read")
    async with reading(svc.engine) as conn:
        row = await case_row(conn, case_id)
        names = await officer_names(conn)
        rem = await rem_store.get(conn, row.remittance_id)
        history = await rem_store.history(conn, row.remittance_id)
        sender = await customer_store.customer(conn, rem.sender_id)
        decisions = await store.decisions(conn, case_id)
        answers = await store.information(conn, row.remittance_id)
        changes = await identity.changes_for_case(conn, rem.sender_id, row.remittance_id)
        quote = await requotes.quote_state(conn, rem, svc.now())
    body = _case_summary(row, names)
    body.update(
        evidence=row.evidence,
        remittance=remittance_view(rem, list(history)),
        sender=sender_view(sender),
        recipient=dict(rem.recipient),
        decisions=[_decision_view(d, names) for d in decisions],
        information=[{"text": a.text, "at": a.created_at.isoformat()} for a in answers],
        identity_changes=changes,
        four_eyes_risk=svc.settings.four_eyes_risk,
        quote=quote,
        origin="rescreening" if (row.evidence or {}).get("rescreening") else "screening",
        money=money_view(rem, held_from(history), row.evidence or {}),
    )
    read = {"reason": (reason or DEFAULT_READ_REASON)[:300], "customer_id": sender.id}
    async with svc.engine.begin() as conn:
        await audit_trail.record(
            svc,
            conn,
            svc.now(),
            caller.key_id,
            "case.personal_data_read",
            case_id,
            after={**read, "remittance_id": rem.id},
        )
    return body
