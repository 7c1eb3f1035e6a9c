"""created -> screening -> quoted | on_hold | rejected, and back from a review."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.domain.states import Status
from gateway.ids import new_id
from gateway.pipeline.common import Row, fetch_one, quote_of
from gateway.pipeline.outcomes import Advance, Outcome
from gateway.services import Services
from gateway.storage.tables import compliance_cases, customers

S = Status


async def start_screening(svc: Services, rem: Row) -> Outcome:
    return Advance(S.SCREENING, "screening started")


def _case_effect(rem_id: str, case_id: str, risk: int, evidence: dict, version: str | None):
    async def write(conn: AsyncConnection) -> None:
        now = evidence["at"]
        await conn.execute(
            compliance_cases.insert().values(
                id=case_id,
                remittance_id=rem_id,
                status="open",
                risk_score=risk,
                evidence={k: v for k, v in evidence.items() if k != "at"},
                list_version=version,
                created_at=now,
                updated_at=now,
            )
        )

    return write


async def screen(svc: Services, rem: Row) -> Outcome:
    """Sanctions screening of both parties. Fails closed: with no list loaded, everything holds."""
    sender = await fetch_one(svc, sa.select(customers).where(customers.c.id == rem.sender_id))
    screener = svc.screening.current
    now = svc.now()
    evidence: dict[str, Any] = {"at": now, "sanctions": [], "reasons": []}
    if screener.entry_count == 0:
        evidence["reasons"].append("no sanctions list loaded: screening fails closed")
    parties = (("sender", sender.name, sender.country), ("recipient", rem.recipient["name"], None))
    for role, name, country in parties:
        for hit in screener.screen(name, country=country):
            evidence["sanctions"].append({"party": role, **hit.to_dict()})
    if evidence["sanctions"]:
        evidence["reasons"].append("possible sanctions match")
    if evidence["reasons"]:
        risk = max((int(h["score"] * 100) for h in evidence["sanctions"]), default=100)
        case_id = new_id("case")
        effect = _case_effect(rem.id, case_id, risk, evidence, screener.version)
        return Advance(S.ON_HOLD, "; ".join(evidence["reasons"]), effects=(effect,))
    return Advance(S.QUOTED, f"screening passed (lists {screener.version})")


async def resume_after_approval(svc: Services, rem: Row) -> Outcome:
    quote = await quote_of(svc, rem.quote_id)
    if quote.expires_at <= svc.now():
        return Advance(S.REQUOTE, "quote lapsed while on hold: the sender must accept a new one")
    return Advance(S.QUOTED, "approved; quote still valid")
