"""Helpers every pipeline stage shares."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from gateway.domain.postings import MoneyPath
from gateway.pipeline.outcomes import Outcome
from gateway.services import Services
from gateway.storage.engine import reading
from gateway.storage.tables import quotes

Row = Any
Step = Callable[[Services, Row], Awaitable[Outcome]]


def money_path(rem: Row) -> MoneyPath:
    return MoneyPath(
        remittance_id=rem.id,
        sender_id=rem.sender_id,
        partner_id=rem.partner_id,
        send_currency=rem.send_currency,
        send_amount_minor=rem.send_amount_minor,
        fee_minor=rem.fee_minor,
        coin=rem.settlement_asset,
        settlement_minor=rem.settlement_minor,
    )


async def fetch_one(svc: Services, query: sa.Select, params: dict[str, Any] | None = None) -> Row:
    """One row; `query` is best built once with bind parameters (every remittance runs it)."""
    async with reading(svc.engine) as conn:
        return (await conn.execute(query, params)).one()


_QUOTE_BY_ID = sa.select(quotes).where(quotes.c.id == sa.bindparam("quote_id"))


async def quote_of(svc: Services, quote_id: str) -> Row:
    return await fetch_one(svc, _QUOTE_BY_ID, {"quote_id": quote_id})


def backoff(attempts: int, base: timedelta = timedelta(seconds=1)) -> timedelta:
    return min(base * (2 ** min(attempts, 8)), timedelta(minutes=5))
