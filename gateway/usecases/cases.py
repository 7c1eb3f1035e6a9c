"""Compliance case review: the queue, claiming, decisions that move the held remittance, the
sender's answers, exports. Every change writes an audit entry in the same transaction."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from compliance.cases import OPEN_STATUSES, DecisionRefused, decide, may, rules_of
from corridors.recipients import RecipientInvalid, validate_recipient
from gateway.domain.recipient_keys import recipient_key
from gateway.domain.states import IllegalTransition, Status, held_from
from gateway.errors import Conflict, NotFound, Refused, field_error, validation
from gateway.ids import new_id
from gateway.services import Services
from gateway.storage import audit
from gateway.storage import remittances as rem_store
from gateway.storage.keys import Caller
from gateway.storage.sealed import keyring_of, row_value
from gateway.storage.tables import compliance_cases, customers, remittances
from gateway.storage.tables_compliance import case_decisions, case_information, officers
from gateway.usecases import identity, requotes
from gateway.usecases.ownership import own_remittance
from gateway.usecases.remittances import remittance_view
from ledger_adapter.sessions import reading

cases = compliance_cases

# What the sender's app sees in the remittance history (the officer's reason stays internal).
SENDER_TEXT = {
    "approved": "approved by compliance review",
    "rejected": "rejected by compliance review",
    "needs_info": "compliance review needs more information",
}


SENDER_FIELDS = ("id", "external_id", "name", "phone", "country", "tier", "status")


def sender_view(row: Any) -> dict[str, Any]:
    """The sender as a reviewer sees them (the KYC area's view carries more than a case needs)."""
    body = {k: getattr(row, k) for k in SENDER_FIELDS}
    body["birth_date"] = row.birth_date.isoformat() if row.birth_date else None
    return body


def require(caller: Caller, permission: str) -> None:
    if not may(caller.role, permission):
        raise Refused("forbidden", "Forbidden", f"role {caller.role} may not {permission}")


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


async def _names(conn: AsyncConnection) -> dict[str, str]:
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
        names = await _names(conn)
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


async def _case(conn: AsyncConnection, case_id: str) -> Any:
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
        row = await _case(conn, case_id)
        names = await _names(conn)
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


async def _set_case(conn: AsyncConnection, row: Any, now, **values: Any) -> None:
    """Update only if the case is still as we read it (two officers at once: one wins)."""
    result = await conn.execute(
        cases.update()
        .where(
            cases.c.id == row.id,
            cases.c.status == row.status,
            cases.c.updated_at == row.updated_at,
        )
        .values(updated_at=now, **values)
    )
    if result.rowcount != 1:
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
        row = await _case(conn, case_id)
        if row.status not in OPEN_STATUSES:
            raise Conflict("case-closed", "Case closed", f"the case is {row.status}")
        if target not in await _names(conn):
            raise field_error("officer_id", "unknown officer")
        if row.assignee_id != target:
            await _set_case(conn, row, now, assignee_id=target, claimed_at=now)
            await audit.append(
                conn,
                key=svc.settings.audit_hmac_key,
                at=now,
                actor=caller.key_id,
                action="case.assign" if assignee_id else "case.claim",
                object_id=case_id,
                before={"assignee_id": row.assignee_id},
                after={"assignee_id": target},
            )
    return await case_detail(svc, caller, case_id)


async def _replay(conn: AsyncConnection, row: Any, caller: Caller, action: str) -> bool:
    """The same officer repeating the decision that produced the case's current status."""
    last = (
        await conn.execute(
            sa.select(case_decisions)
            .where(case_decisions.c.case_id == row.id)
            .order_by(case_decisions.c.created_at.desc(), case_decisions.c.id.desc())
            .limit(1)
        )
    ).first()
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
        row = await _case(conn, case_id)
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
            await conn.execute(
                case_decisions.insert().values(
                    id=decision_id,
                    case_id=case_id,
                    officer_id=caller.key_id,
                    action=action,
                    reason=row_value(decision_id, reason),
                    message=row_value(decision_id, message),
                    case_status=move.case_status,
                    created_at=now,
                )
            )
            extra: dict[str, Any] = {"status": move.case_status}
            moved_to = row.remittance_status
            if move.remittance_status is None:
                extra["first_approver_id"] = caller.key_id
            else:
                extra["decided_at"] = now
                moved_to = await _move_remittance(conn, row, move.remittance_status, message, now)
            await _set_case(conn, row, now, **extra)
            await audit.append(
                conn,
                key=svc.settings.audit_hmac_key,
                at=now,
                actor=caller.key_id,
                action=f"case.{action}",
                object_id=case_id,
                before={"case_status": row.status, "remittance_status": row.remittance_status},
                after={
                    "case_status": move.case_status,
                    "remittance_status": moved_to,
                    "decision_id": decision_id,
                    "remittance_id": row.remittance_id,
                },
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


async def answer_information(
    svc: Services,
    caller: Caller,
    remittance_id: str,
    text: str,
    recipient: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The sender answers a request for information: needs_info -> on_hold, and the case goes
    back to the officers' queue (info_received) for a decision. Nothing is screened to a pass:
    a hold ends only by an officer's decision. A corrected recipient is recorded as an
    identity change (before and after, both screened) and shown on the case."""
    now = svc.now()
    async with svc.engine.begin() as conn:
        rem = await own_remittance(conn, caller, remittance_id)
        if rem.status != Status.NEEDS_INFO:
            raise Conflict(
                "not-awaiting-information",
                "No information requested",
                f"the remittance is {rem.status}; answers are taken only in needs_info",
            )
        case = (
            await conn.execute(
                sa.select(cases).where(
                    cases.c.remittance_id == remittance_id, cases.c.status == "needs_info"
                )
            )
        ).first()
        if case is None:
            from gateway.usecases.travel_hold import held_for_travel

            if await held_for_travel(conn, rem):
                raise Conflict(
                    "travel-rule-data-requested",
                    "Travel-rule data requested",
                    "this transfer waits for travel-rule data, not for a compliance answer: "
                    f"send it in POST /v1/remittances/{remittance_id}/travel-rule",
                )
        changed = {}
        if recipient is not None:
            changed = await _correct_recipient(svc, conn, rem, recipient, now)
        information_id = new_id("inf")
        await conn.execute(
            case_information.insert().values(
                id=information_id,
                remittance_id=remittance_id,
                case_id=case.id if case else None,
                text=row_value(information_id, text),
                created_at=now,
            )
        )
        await rem_store.transition(
            conn,
            remittance_id,
            Status.NEEDS_INFO,
            Status.ON_HOLD,
            now=now,
            reason="the sender answered; back with compliance for a decision",
            **changed,
        )
        if case is not None:
            await conn.execute(
                cases.update()
                .where(cases.c.id == case.id)
                .values(status="info_received", updated_at=now)
            )
        await audit.append(
            conn,
            key=svc.settings.audit_hmac_key,
            at=now,
            actor=caller.key_id,
            action="remittance.information",
            object_id=remittance_id,
            before={"remittance_status": "needs_info"},
            after={
                "remittance_status": "on_hold",
                "case_id": case.id if case else None,
                "recipient_changed": bool(changed),
            },
        )
    async with reading(svc.engine) as conn:
        row = await rem_store.get(conn, remittance_id)
        history = await rem_store.history(conn, remittance_id)
    return remittance_view(row, list(history))


async def _correct_recipient(
    svc: Services, conn: AsyncConnection, rem: Any, recipient: Mapping[str, Any], now
) -> dict[str, Any]:
    """The corrected recipient, validated for the corridor, recorded with the one screened
    before; returns the remittance columns to change (none when nothing differs)."""
    corridor = svc.corridors[rem.corridor_id]
    try:
        fresh = validate_recipient(corridor, dict(recipient))
    except RecipientInvalid as exc:
        raise validation(exc.errors) from None
    before = dict(rem.recipient)
    if fresh == before:
        return {}
    screener = svc.screening.current
    await identity.record_change(
        conn,
        party="recipient",
        remittance_id=rem.id,
        before=before,
        after=fresh,
        hits=identity.screen_both(screener, before, fresh, with_country=False),
        list_version=screener.version,
        now=now,
    )
    return {
        "recipient": row_value(rem.id, fresh),
        "recipient_key": recipient_key(corridor.id, fresh, keyring_of(conn).index),
    }


CSV_COLUMNS = (
    "decision_id",
    "at",
    "case_id",
    "remittance_id",
    "officer",
    "decision",
    "case_status",
    "risk_score",
    "reason",
)


async def decisions_csv(svc: Services, caller: Caller) -> str:
    require(caller, "export")
    async with reading(svc.engine) as conn:
        names = await _names(conn)
        rows = (
            await conn.execute(
                sa.select(case_decisions, cases.c.remittance_id, cases.c.risk_score)
                .join(cases, cases.c.id == case_decisions.c.case_id)
                .order_by(case_decisions.c.created_at, case_decisions.c.id)
            )
        ).all()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for r in rows:
        writer.writerow(
            [
                r.id,
                r.created_at.isoformat(),
                r.case_id,
                r.remittance_id,
                names.get(r.officer_id, r.officer_id),
                r.action,
                r.case_status,
                r.risk_score,
                r.reason,
            ]
        )
    return out.getvalue()


async def sar_draft(svc: Services, caller: Caller, case_id: str) -> dict[str, Any]:
    """A draft suspicious-activity report: the facts a filer needs, to be completed by a person."""
    require(caller, "export")
    detail = await case_detail(svc, caller, case_id)
    rem, sender = detail["remittance"], detail["sender"]
    return {
        "kind": "draft-suspicious-activity-report",
        "status": "draft",
        "generated_at": svc.now().isoformat(),
        "case": {k: detail[k] for k in ("id", "status", "risk_score", "rules", "list_version")},
        "subject": {k: sender.get(k) for k in ("id", "name", "country", "birth_date", "phone")},
        "counterparty": detail["recipient"],
        "transaction": {
            k: rem[k]
            for k in (
                "id",
                "status",
                "corridor_id",
                "send_amount",
                "send_currency",
                "receive_amount",
                "receive_currency",
                "created_at",
            )
        },
        "activity": detail["evidence"],
        "decisions": detail["decisions"],
        "narrative": "",
    }
