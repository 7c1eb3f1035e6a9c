"""quoted -> awaiting_funds -> funded | expired | requote."""

from __future__ import annotations

from datetime import timedelta

from fx.money import Money
from gateway.domain.states import Status
from gateway.pipeline.common import Row, money_path, quote_of
from gateway.pipeline.outcomes import Advance, Outcome, Retry
from gateway.services import Services
from ledger_adapter.port import InsufficientFunds

S = Status

WALLET_RETRY = timedelta(seconds=2)


async def await_funds(svc: Services, rem: Row) -> Outcome:
    quote = await quote_of(svc, rem.quote_id)
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
