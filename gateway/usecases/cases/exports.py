"""Exports for the compliance team: every decision as CSV, and a suspicious-activity report
draft for one case."""

from __future__ import annotations

import csv
import io
from typing import Any

from gateway.domain.callers import Caller
from gateway.services import Services
from gateway.storage import cases as store
from gateway.usecases.cases.access import require
from gateway.usecases.cases.queue import case_detail, officer_names
from ledger_adapter.sessions import reading

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
        names = await officer_names(conn)
        rows = await store.every_decision(conn)
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
