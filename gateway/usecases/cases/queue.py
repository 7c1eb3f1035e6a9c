"""The officers' queue and one case with its evidence, as an officer reads it (the read itself
is audited)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from compliance.cases import OPEN_STATUSES, rules_of
from gateway.domain.states import Status, held_from
from gateway.errors import NotFound
from gateway.services import Services
from gateway.storage import audit
from gateway.storage import remittances as rem_store
from gateway.storage.keys import Caller
from gateway.storage.tables import compliance_cases, customers, remittances
from gateway.storage.tables_compliance import case_decisions, case_information, officers
from gateway.usecases import identity, requotes
from gateway.usecases.cases.access import require
from gateway.usecases.remittances import remittance_view
from ledger_adapter.sessions import reading

cases = compliance_cases


SENDER_FIELDS = ("id", "external_id", "name", "phone", "country", "tier", "status")


def sender_view(row: Any) -> dict[str, Any]:
    """The sender as a reviewer sees them (the KYC area's view carries more than a case needs)."""
    body = {k: getattr(row, k) for k in SENDER_FIELDS}
    body["birth_date"] = row.birth_date.isoformat() if row.birth_date else None
    return body


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


def _joined() -> sa.Select:
    return sa.select(
        cases,
        remittances.c.corridor_id,
        remittances.c.status.label("remittance_status"),
    ).join(remittances, remittances.c.id == cases.c.remittance_id)


async def officer_names(conn: AsyncConnection) -> dict[str, str]:
    rows = await conn.execute(sa.select(officers.c.id, officers.c.username))
    return {r.id: r.username for r in rows}


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
    query = _joined().order_by(cases.c.risk_score.desc(), cases.c.created_at, cases.c.id)
    statuses = [status] if status and status != "all" else list(OPEN_STATUSES)
    if status != "all":
        query = query.where(cases.c.status.in_(statuses))
    if corridor:
        query = query.where(remittances.c.corridor_id == corridor)
    async with reading(svc.engine) as conn:
        names = await officer_names(conn)
        if assignee == "none":
            query = query.where(cases.c.assignee_id.is_(None))
        elif assignee:
            wanted = caller.key_id if assignee == "me" else assignee
            ids = {wanted} | {i for i, n in names.items() if n == wanted}
            query = query.where(cases.c.assignee_id.in_(ids))
        rows = (await conn.execute(query.limit(limit if not rule else 5000))).all()
    out = [_case_summary(r, names) for r in rows]
    if rule:
        out = [c for c in out if rule in c["rules"]][:limit]
    return out


async def case_row(conn: AsyncConnection, case_id: str) -> Any:
    row = (await conn.execute(_joined().where(cases.c.id == case_id))).first()
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
        sender = (
            await conn.execute(sa.select(customers).where(customers.c.id == rem.sender_id))
        ).one()
        decisions = (
            await conn.execute(
                sa.select(case_decisions)
                .where(case_decisions.c.case_id == case_id)
                .order_by(case_decisions.c.created_at, case_decisions.c.id)
            )
        ).all()
        answers = (
            await conn.execute(
                sa.select(case_information)
                .where(case_information.c.remittance_id == row.remittance_id)
                .order_by(case_information.c.created_at)
            )
        ).all()
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
    async with svc.engine.begin() as conn:
        await audit.append(
            conn,
            key=svc.settings.audit_hmac_key,
            at=svc.now(),
            actor=caller.key_id,
            action="case.personal_data_read",
            object_id=case_id,
            after={
                "reason": (reason or DEFAULT_READ_REASON)[:300],
                "customer_id": sender.id,
                "remittance_id": rem.id,
            },
        )
    return body
