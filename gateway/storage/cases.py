"""Compliance case rows: the one insert that opens a case, whoever opens it (screening, a
re-screening after a list update)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.ids import new_id
from gateway.storage.sealed import row_value
from gateway.storage.tables import compliance_cases


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
