"""One function per state a worker advances. Each step does its side effect idempotently (ledger
transfer ids, partner idempotency keys derived from the remittance id) and returns an outcome;
the worker commits it with its history row before anything else happens."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from corridors.payout import NOT_FOUND, PartnerUnavailable, PayoutInstruction, PayoutResult
from fx.money import Money
from gateway.domain.postings import MoneyPath
from gateway.domain.states import Status
from gateway.ids import new_id
from gateway.pipeline.outcomes import Advance, Outcome, Retry
from gateway.services import Services
from gateway.storage.tables import compliance_cases, customers, quotes
from ledger_adapter.port import InsufficientFunds

S = Status
Row = Any
Step = Callable[[Services, Row], Awaitable[Outcome]]

WALLET_RETRY = timedelta(seconds=2)
PAYOUT_POLL = timedelta(seconds=1)


def money_path(rem: Row) -> MoneyPath:
    return MoneyPath(
        remittance_id=rem.id,
        sender_id=rem.sender_id,
        partner_id=rem.partner_id,
        send_currency=rem.send_currency,
        send_amount_minor=rem.send_amount_minor,
        fee_minor=rem.fee_minor,
        coin=rem.settlement_asset,
    )


async def _fetch_one(svc: Services, query: sa.Select) -> Row:
    async with svc.engine.connect() as conn:
        return (await conn.execute(query)).one()


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
    sender = await _fetch_one(svc, sa.select(customers).where(customers.c.id == rem.sender_id))
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


async def _quote(svc: Services, quote_id: str) -> Row:
    return await _fetch_one(svc, sa.select(quotes).where(quotes.c.id == quote_id))


async def resume_after_approval(svc: Services, rem: Row) -> Outcome:
    quote = await _quote(svc, rem.quote_id)
    if quote.expires_at <= svc.now():
        return Advance(S.REQUOTE, "quote lapsed while on hold: the sender must accept a new one")
    return Advance(S.QUOTED, "approved; quote still valid")


async def await_funds(svc: Services, rem: Row) -> Outcome:
    quote = await _quote(svc, rem.quote_id)
    if quote.expires_at <= svc.now():
        return Advance(S.REQUOTE, "quote expired before funding: the sender must accept a new one")
    deadline = quote.expires_at  # instant wallet funding: the quote's own expiry
    return Advance(S.AWAITING_FUNDS, "awaiting funds from wallet", {"funding_deadline": deadline})


async def fund(svc: Services, rem: Row) -> Outcome:
    transfers = money_path(rem).fund_from_wallet(rem.funding_attempts)
    expired = rem.funding_deadline is not None and rem.funding_deadline <= svc.now()
    if expired and await svc.ledger.get_transfer(transfers[0].id) is None:
        return Advance(S.EXPIRED, "not funded before the quote expired")
    try:
        await svc.ledger.transfer(transfers)
    except InsufficientFunds:
        retry = {"funding_attempts": rem.funding_attempts + 1}
        return Retry(WALLET_RETRY, "insufficient wallet balance", retry)
    amount = Money.from_minor(rem.send_amount_minor, rem.send_currency)
    return Advance(S.FUNDED, f"{amount} {amount.currency} debited from wallet")


async def convert(svc: Services, rem: Row) -> Outcome:
    path = money_path(rem)
    await svc.ledger.transfer(path.mint())
    coin = Money.from_minor(path.coin_minor, path.coin)
    return Advance(S.CONVERTED, f"{coin} {coin.currency} minted")


async def send_to_partner_ledger(svc: Services, rem: Row) -> Outcome:
    await svc.ledger.transfer([money_path(rem).reserve_for_partner()])
    return Advance(S.IN_TRANSIT, f"pending transfer to partner {rem.partner_id}")


def _instruction(svc: Services, rem: Row) -> PayoutInstruction:
    amount = Money.from_minor(rem.receive_amount_minor, rem.receive_currency)
    return PayoutInstruction(
        payout_id=rem.id,
        remittance_id=rem.id,
        amount=str(amount),
        currency=rem.receive_currency,
        recipient=dict(rem.recipient),
        corridor_id=rem.corridor_id,
    )


def _backoff(attempts: int, base: timedelta = PAYOUT_POLL) -> timedelta:
    return min(base * (2 ** min(attempts, 8)), timedelta(minutes=5))


async def instruct_partner(svc: Services, rem: Row) -> Outcome:
    adapter = await svc.partners.payout(rem.partner_id)
    try:
        result = await adapter.send(_instruction(svc, rem))
    except PartnerUnavailable as exc:
        return Retry(_backoff(rem.attempts), f"partner unavailable: {exc}")
    return _after_partner_answer(rem, result, S.IN_TRANSIT)


def _after_partner_answer(rem: Row, result: PayoutResult, current: Status) -> Outcome:
    fields = {"payout_status": result.status}
    if result.partner_reference:
        fields["partner_reference"] = result.partner_reference
    if result.status in ("accepted", "paid"):
        if current == S.PAYOUT_PENDING:
            return Retry(_backoff(rem.attempts), "payout accepted, not yet paid", fields)
        return Advance(S.PAYOUT_PENDING, f"partner {result.status} the instruction", fields)
    if result.reason == NOT_FOUND and current == S.PAYOUT_UNKNOWN:
        # Proven never received: the same instruction, under the same key, goes again.
        return Advance(S.IN_TRANSIT, "inquiry: the partner never received it; send again")
    if result.status == "failed":
        fields["failure_reason"] = result.reason or "failed"
        return Advance(S.FAILED, f"partner failed the payout: {result.reason}", fields)
    if current == S.PAYOUT_UNKNOWN:
        return Retry(_backoff(rem.attempts), "payout status still unknown")
    return Advance(S.PAYOUT_UNKNOWN, "partner did not answer in time; inquiry follows", fields)


async def complete_payout(svc: Services, rem: Row, reason: str, fields: dict) -> Outcome:
    path = money_path(rem)
    await svc.ledger.post_pending(path.post_id, path.payout_transfer_id)
    await svc.ledger.transfer(path.settle_partner())
    return Advance(S.PAID_OUT, reason, fields)


async def settle_payout(svc: Services, rem: Row) -> Outcome:
    """payout_pending and payout_unknown: a paid answer completes; otherwise ask the partner."""
    current = Status(rem.status)
    if current == S.PAYOUT_PENDING and rem.payout_status == "paid":
        return await complete_payout(svc, rem, "partner confirmed the payout", {})
    try:
        adapter = await svc.partners.payout(rem.partner_id)
        result = await adapter.inquire(rem.id)
    except PartnerUnavailable as exc:
        return Retry(_backoff(rem.attempts), f"partner unavailable: {exc}")
    if result.status == "paid":
        fields = {"payout_status": "paid", "partner_reference": result.partner_reference}
        return await complete_payout(svc, rem, "status inquiry: paid", fields)
    return _after_partner_answer(rem, result, current)


async def refund(svc: Services, rem: Row) -> Outcome:
    path = money_path(rem)
    await svc.ledger.void_pending(path.void_id, path.payout_transfer_id)
    await svc.ledger.transfer(path.refund_to_wallet())
    amount = Money.from_minor(rem.send_amount_minor, rem.send_currency)
    return Advance(S.REFUNDED, f"{amount} {amount.currency} returned to the wallet")


STEPS: dict[Status, Step] = {
    S.CREATED: start_screening,
    S.SCREENING: screen,
    S.APPROVED: resume_after_approval,
    S.QUOTED: await_funds,
    S.AWAITING_FUNDS: fund,
    S.FUNDED: convert,
    S.CONVERTED: send_to_partner_ledger,
    S.IN_TRANSIT: instruct_partner,
    S.PAYOUT_PENDING: settle_payout,
    S.PAYOUT_UNKNOWN: settle_payout,
    S.FAILED: refund,
}
