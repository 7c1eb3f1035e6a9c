"""Compliance case rows: the one insert that opens a case, whoever opens it (screening, a
re-screening after a list update); the officers' queue and a case with its remittance's state;
the officers' decisions and the sender's answers to a request for information."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.ids import new_id
from gateway.storage.sealed import row_value
from gateway.storage.tables import compliance_cases, remittances
from gateway.storage.tables_compliance import case_decisions, case_information

cases = compliance_cases


async def open_case(
    conn: AsyncConnection,
    remittance_id: str,
    *,
    status: str,
    risk: int,
    evidence: dict[str, Any],
    list_version: str,
    now: datetime,
) -> str:
    """A new case on this remittance, its evidence sealed; its id."""
    case_id = new_id("case")
    row = {"id": case_id, "remittance_id": remittance_id, "status": status, "risk_score": risk}
    row |= {"evidence": row_value(case_id, evidence), "list_version": list_version}
    await conn.execute(compliance_cases.insert().values(**row, created_at=now, updated_at=now))
    return case_id


async def touch_waiting(
    conn: AsyncConnection,
    statuses: Sequence[str],
    now: datetime,
    *,
    remittance_id: str | None = None,
    sender_id: str | None = None,
) -> None:
    """Mark as changed the cases in `statuses` on this remittance, or on every remittance the
    sender sent."""
    if remittance_id is not None:
        target = cases.c.remittance_id == remittance_id
    else:
        sent = sa.select(remittances.c.id).where(remittances.c.sender_id == sender_id)
        target = cases.c.remittance_id.in_(sent.scalar_subquery())
    waiting = cases.c.status.in_(statuses)
    await conn.execute(cases.update().where(waiting, target).values(updated_at=now))


async def set_evidence(conn: AsyncConnection, case_id: str, evidence: dict[str, Any]) -> None:
    """Replace the case's evidence (sealed to the case)."""
    await conn.execute(
        cases.update().where(cases.c.id == case_id).values(evidence=row_value(case_id, evidence))
    )


def _with_remittance() -> sa.Select:
    """Cases with their remittance's corridor and state (`remittance_status`)."""
    return sa.select(
        cases,
        remittances.c.corridor_id,
        remittances.c.status.label("remittance_status"),
    ).join(remittances, remittances.c.id == cases.c.remittance_id)


async def case(conn: AsyncConnection, case_id: str) -> Any:
    """The case with its remittance's corridor and state, or None."""
    return (await conn.execute(_with_remittance().where(cases.c.id == case_id))).first()


async def queue(
    conn: AsyncConnection,
    *,
    statuses: Sequence[str] | None,
    corridor: str | None,
    assignees: Collection[str] | None,
    unassigned: bool,
    limit: int,
) -> list[Any]:
    """Cases by risk (highest first), then age (oldest first), with their remittance's corridor
    and state; narrowed to `statuses`, a corridor, `assignees` (ids) or the unassigned."""
    query = _with_remittance().order_by(cases.c.risk_score.desc(), cases.c.created_at, cases.c.id)
    if statuses is not None:
        query = query.where(cases.c.status.in_(statuses))
    if corridor:
        query = query.where(remittances.c.corridor_id == corridor)
    if unassigned:
        query = query.where(cases.c.assignee_id.is_(None))
    elif assignees is not None:
        query = query.where(cases.c.assignee_id.in_(assignees))
    return list((await conn.execute(query.limit(limit))).all())


async def waiting_for_information(conn: AsyncConnection, remittance_id: str) -> Any:
    """The remittance's case that asked the sender for information (needs_info), or None."""
    query = sa.select(cases).where(
        cases.c.remittance_id == remittance_id, cases.c.status == "needs_info"
    )
    return (await conn.execute(query)).first()


async def set_status(conn: AsyncConnection, case_id: str, status: str, now: datetime) -> None:
    await conn.execute(
        cases.update().where(cases.c.id == case_id).values(status=status, updated_at=now)
    )


async def update_unchanged(conn: AsyncConnection, row: Any, now: datetime, **values: Any) -> bool:
    """Update the case only if it is still as `row` read it (status, updated_at): False when
    another change came first."""
    result = await conn.execute(
        cases.update()
        .where(
            cases.c.id == row.id,
            cases.c.status == row.status,
            cases.c.updated_at == row.updated_at,
        )
        .values(updated_at=now, **values)
    )
    return result.rowcount == 1


# -- decisions and the sender's answers --------------------------------------------------------


async def add_decision(
    conn: AsyncConnection,
    decision_id: str,
    case_id: str,
    now: datetime,
    *,
    officer_id: str,
    action: str,
    case_status: str,
    reason: str,
    message: str | None,
) -> None:
    """An officer's decision on the case; the reason and the message to the sender sealed."""
    sealed = {"reason": row_value(decision_id, reason), "message": row_value(decision_id, message)}
    row = {"officer_id": officer_id, "action": action, "case_status": case_status, **sealed}
    await conn.execute(
        case_decisions.insert().values(id=decision_id, case_id=case_id, created_at=now, **row)
    )


async def decisions(conn: AsyncConnection, case_id: str) -> list[Any]:
    """The case's decisions, oldest first."""
    query = (
        sa.select(case_decisions)
        .where(case_decisions.c.case_id == case_id)
        .order_by(case_decisions.c.created_at, case_decisions.c.id)
    )
    return list((await conn.execute(query)).all())


async def last_decision(conn: AsyncConnection, case_id: str) -> Any:
    """The case's newest decision, or None."""
    query = (
        sa.select(case_decisions)
        .where(case_decisions.c.case_id == case_id)
        .order_by(case_decisions.c.created_at.desc(), case_decisions.c.id.desc())
        .limit(1)
    )
    return (await conn.execute(query)).first()


async def every_decision(conn: AsyncConnection) -> list[Any]:
    """Every decision, oldest first, with its case's remittance id and risk score."""
    query = (
        sa.select(case_decisions, cases.c.remittance_id, cases.c.risk_score)
        .join(cases, cases.c.id == case_decisions.c.case_id)
        .order_by(case_decisions.c.created_at, case_decisions.c.id)
    )
    return list((await conn.execute(query)).all())


async def add_information(
    conn: AsyncConnection,
    information_id: str,
    remittance_id: str,
    case_id: str | None,
    text: str,
    now: datetime,
) -> None:
    """The sender's answer (sealed), on the case that asked for it if there is one."""
    row = {"id": information_id, "remittance_id": remittance_id, "case_id": case_id}
    text_sealed = row_value(information_id, text)
    await conn.execute(case_information.insert().values(**row, text=text_sealed, created_at=now))


async def information(conn: AsyncConnection, remittance_id: str) -> list[Any]:
    """The sender's answers on the remittance, oldest first."""
    query = (
        sa.select(case_information)
        .where(case_information.c.remittance_id == remittance_id)
        .order_by(case_information.c.created_at)
    )
    return list((await conn.execute(query)).all())
