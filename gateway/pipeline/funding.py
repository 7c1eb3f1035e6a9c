"""quoted -> awaiting_funds -> funded | expired | requote.

Wallet funding is instant: the quote's own expiry is the deadline. A pay-in method (bank
transfer, card, cash-in agent) gets a payment reference and the method's window; pay-ins matched
to that reference land in the wallet first, and the same wallet debit funds the remittance once
they cover the send amount (the pay-in callback wakes the step)."""

from __future__ import annotations

from datetime import datetime, timedelta

from corridors.payin import METHODS
from fx.money import Money
from gateway.domain.outcomes import Advance, Outcome, Retry
from gateway.domain.states import Status
from gateway.pipeline.common import Row, money_path, quote_of
from gateway.services import Services
from gateway.storage import payins as payin_store
from ledger_adapter.port import InsufficientFunds
from ledger_adapter.sessions import reading

S = Status

WALLET_RETRY = timedelta(seconds=2)
# Without a callback (a lost wake-up) a pay-in funded remittance still looks again this often.
PAYIN_RECHECK = timedelta(minutes=5)


def deadline_for(svc: Services, rem: Row, quote: Row) -> datetime:
    """The quote's expiry, or for a bank-window pay-in method the corridor's longer window."""
    method = METHODS.get(rem.funding_method)
    if method is None or method.window == "quote":
        return quote.expires_at
    ttl = timedelta(seconds=svc.corridors[rem.corridor_id].bank_funding_ttl_s)
    return max(quote.expires_at, quote.created_at + ttl)


async def await_funds(svc: Services, rem: Row) -> Outcome:
    quote = await quote_of(svc, rem.quote_id)
    deadline = deadline_for(svc, rem, quote)
    if deadline <= svc.now():
        return Advance(S.REQUOTE, "quote expired before funding: the sender must accept a new one")
    fields = {"funding_deadline": deadline}
    if rem.funding_method not in METHODS:
        return Advance(S.AWAITING_FUNDS, "awaiting funds from wallet", fields)

    async def reference(conn) -> None:
        await payin_store.issue_reference(
            conn,
            customer_id=rem.sender_id,
            currency=rem.send_currency,
            method=rem.funding_method,
            now=svc.now(),
            remittance_id=rem.id,
        )

    reason = f"awaiting {rem.funding_method} pay-in to the issued reference"
    return Advance(S.AWAITING_FUNDS, reason, fields, effects=(reference,))


async def _payins_cover(svc: Services, rem: Row) -> bool:
    async with reading(svc.engine) as conn:
        return await payin_store.credited_minor(conn, rem.id) >= rem.send_amount_minor


async def _received_note(svc: Services, rem: Row) -> str:
    async with reading(svc.engine) as conn:
        received = await payin_store.credited_minor(conn, rem.id)
    if not received:
        return ""
    money = Money.from_minor(received, rem.send_currency)
    return f"; {money} {money.currency} received stays in the wallet"


async def fund(svc: Services, rem: Row) -> Outcome:
    transfers = money_path(rem).fund_from_wallet(rem.funding_attempts)
    now = svc.now()
    expired = rem.funding_deadline is not None and rem.funding_deadline <= now
    by_payin = rem.funding_method in METHODS
    if expired and await svc.reads.transfer(transfers[0].id) is None:
        note = await _received_note(svc, rem) if by_payin else ""
        return Advance(S.EXPIRED, "not funded before the quote expired" + note)
    if by_payin and not await _payins_cover(svc, rem):
        wait = min(PAYIN_RECHECK, rem.funding_deadline - now) if rem.funding_deadline else None
        return Retry(wait or PAYIN_RECHECK, "awaiting pay-in", {})
    try:
        await svc.ledger.transfer(transfers)
    except InsufficientFunds:
        retry = {"funding_attempts": rem.funding_attempts + 1}
        return Retry(WALLET_RETRY, "insufficient wallet balance", retry)
    amount = Money.from_minor(rem.send_amount_minor, rem.send_currency)
    source = "pay-in via the wallet" if by_payin else "wallet"
    return Advance(S.FUNDED, f"{amount} {amount.currency} debited from {source}")
