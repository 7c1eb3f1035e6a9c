"""Helpers every pipeline stage shares."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from gateway.domain.outcomes import Outcome
from gateway.domain.postings import MoneyPath
from gateway.services import Services

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


async def quote_of(svc: Services, quote_id: str) -> Row:
    return await svc.reads.quote.one(quote_id)


def backoff(attempts: int, base: timedelta = timedelta(seconds=1)) -> timedelta:
    return min(base * (2 ** min(attempts, 8)), timedelta(minutes=5))
