"""Reads and writes of re-screening runs: the run rows, the next batch of parties to screen,
and what earlier cases of a remittance already showed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.domain.states import TERMINAL
from gateway.storage.keyed_reads import SENDER_WITH_KYC
from gateway.storage.tables import compliance_cases, customers, remittances
from gateway.storage.tables_kyc import rescreen_runs

PENDING_PHASES = ("senders", "recipients")
_OPEN = sorted(s.value for s in TERMINAL)


async def start(conn: AsyncConnection, list_id: str, version: str, now: datetime) -> None:
    """A run for a newly loaded version; the runs of older versions it supersedes stop."""
    await conn.execute(
        rescreen_runs.update()
        .where(rescreen_runs.c.phase.in_(PENDING_PHASES))
        .values(phase="superseded", updated_at=now, finished_at=now)
    )
    await conn.execute(
        rescreen_runs.insert().values(
            list_id=list_id,
            list_version=version,
            phase="senders",
            cursor="",
            held=[],
            too_late=[],
            started_at=now,
            updated_at=now,
        )
    )


async def pending(conn: AsyncConnection) -> Any:
    query = sa.select(rescreen_runs).where(rescreen_runs.c.phase.in_(PENDING_PHASES))
    return (await conn.execute(query.order_by(rescreen_runs.c.started_at.desc()))).first()


async def runs(conn: AsyncConnection, limit: int = 20) -> list[Any]:
    query = sa.select(rescreen_runs).order_by(rescreen_runs.c.started_at.desc()).limit(limit)
    return list(await conn.execute(query))


async def lock(conn: AsyncConnection, list_id: str) -> Any:
    """The run row, locked for this batch (PostgreSQL; SQLite serialises writers)."""
    query = sa.select(rescreen_runs).where(rescreen_runs.c.list_id == list_id)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    return (await conn.execute(query)).one()


async def save(conn: AsyncConnection, list_id: str, **values: Any) -> None:
    await conn.execute(
        rescreen_runs.update().where(rescreen_runs.c.list_id == list_id).values(**values)
    )


async def senders_after(conn: AsyncConnection, cursor: str, limit: int) -> list[Any]:
    query = SENDER_WITH_KYC.where(customers.c.id > cursor).order_by(customers.c.id).limit(limit)
    return list(await conn.execute(query))


async def open_remittances_after(conn: AsyncConnection, cursor: str, limit: int) -> list[Any]:
    """Remittances not yet in a final state (their recipients are screened again)."""
    query = (
        sa.select(remittances)
        .where(remittances.c.id > cursor, remittances.c.status.not_in(_OPEN))
        .order_by(remittances.c.id)
        .limit(limit)
    )
    return list(await conn.execute(query))


async def open_remittances_of(conn: AsyncConnection, sender_ids: Sequence[str]) -> list[Any]:
    query = sa.select(remittances).where(
        remittances.c.sender_id.in_(list(sender_ids)), remittances.c.status.not_in(_OPEN)
    )
    return list(await conn.execute(query.order_by(remittances.c.id)))


async def entries_seen(conn: AsyncConnection, remittance_id: str) -> set[tuple[str, str]]:
    """(list, entry id) of every hit an earlier case of the remittance showed the officers."""
    query = sa.select(compliance_cases.c.evidence).where(
        compliance_cases.c.remittance_id == remittance_id
    )
    seen = set()
    for (evidence,) in await conn.execute(query):
        for hit in (evidence or {}).get("sanctions", ()):
            seen.add((hit.get("list_name"), hit.get("entry_id")))
    return seen


async def rescreening_case(conn: AsyncConnection, remittance_id: str) -> Any:
    """The latest case re-screening opened for a remittance (None if none did)."""
    query = (
        sa.select(compliance_cases)
        .where(compliance_cases.c.remittance_id == remittance_id)
        .order_by(compliance_cases.c.created_at.desc(), compliance_cases.c.id.desc())
    )
    for case in await conn.execute(query):
        if (case.evidence or {}).get("rescreening"):
            return case
    return None


async def move_to_too_late(conn: AsyncConnection, list_version: str, remittance_id: str) -> None:
    """A transfer the run asked to hold turned out paid: listed as too late, not held."""
    query = sa.select(rescreen_runs).where(rescreen_runs.c.list_version == list_version)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    for run in (await conn.execute(query)).all():
        held = [r for r in run.held if r != remittance_id]
        too_late = list(run.too_late)
        if remittance_id not in too_late:
            too_late.append(remittance_id)
        await save(conn, run.list_id, held=held, too_late=too_late)
