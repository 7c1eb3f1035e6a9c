"""The money path of one remittance, applied to the in-memory ledger for random amounts and
market moves: it always balances, never creates money, and leaves exactly what is owed."""

import asyncio
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from fx.money import Money
from gateway.domain.postings import MoneyPath
from ledger_adapter import chart
from ledger_adapter.memory import InMemoryLedger
from ledger_adapter.port import TransferSpec


async def _topped_up(send: int, currency: str) -> InMemoryLedger:
    """The chart's accounts for `currency` and USD (partner p1 is owed USD), customer c1's wallet
    in `currency` topped up with `send` minor units."""
    currencies = dict.fromkeys((currency, "USD"))  # GBP and USD, or USD once
    ledger = InMemoryLedger()
    await ledger.create_accounts(
        [
            *[a for c in currencies for a in chart.standard_accounts(c, "USDC")],
            chart.wallet_account("c1", currency),
            chart.partner_account("p1", "USDC"),
            chart.partner_account("p1", "USD"),
        ]
    )
    top_up = TransferSpec("top", chart.cash(currency), chart.wallet("c1", currency), send, currency)
    await ledger.transfer([top_up])
    return ledger


async def _paid_or_refunded(ledger, path: MoneyPath, fail: bool, result=()) -> InMemoryLedger:
    """The coin reserved for the partner, then the payout failed (voided, refunded to the wallet)
    or paid (posted, the partner settled with `result`, the spread and FX result, beside it)."""
    await ledger.transfer([path.reserve_for_partner()])
    if fail:
        await ledger.void_pending(path.void_id, path.payout_transfer_id)
        await ledger.transfer(path.refund_to_wallet())
    else:
        await ledger.post_pending(path.post_id, path.payout_transfer_id)
        await ledger.transfer(path.settle_partner() + list(result))
    return ledger


async def _run(send: int, fee: int, spread: int, fx: int, fail: bool) -> InMemoryLedger:
    ledger = await _topped_up(send, "USD")
    path = MoneyPath("r1", "c1", "p1", "USD", send, fee, "USDC")
    await ledger.transfer(path.fund_from_wallet())
    await ledger.transfer(path.mint())
    result = path.settlement_result(Money.from_minor(spread, "USD"), Money.from_minor(fx, "USD"))
    return await _paid_or_refunded(ledger, path, fail, result)


amounts = st.integers(min_value=100, max_value=10_000_000)


@settings(max_examples=60, deadline=None)
@given(
    send=amounts,
    fee_share=st.decimals(0, Decimal("0.2"), places=3),
    fx=st.integers(-5000, 5000),
    spread_share=st.decimals(0, Decimal("0.03"), places=4),
    fail=st.booleans(),
)
def test_money_path_balances_for_any_amounts(send, fee_share, fx, spread_share, fail) -> None:
    fee = int(send * fee_share)
    spread = int((send - fee) * spread_share)
    ledger = asyncio.run(_run(send, fee, spread, fx, fail))
    assert asyncio.run(ledger.check()) == []
    balances = asyncio.run(ledger.balances())
    wallet = balances[chart.wallet("c1", "USD")][1]
    owed = balances[chart.partner("p1", "USD")][1]
    supply = balances[chart.issuance("USDC")][1]
    assert supply.debit_balance == 0  # every coin minted for this remittance was burnt again
    if fail:
        assert wallet.credit_balance == send  # all of it back, fee included
        assert owed.credit_balance == 0
    else:
        assert wallet.credit_balance == 0
        assert owed.credit_balance == send - fee - spread - fx
        fees = balances[chart.fees("USD")][1].credit_balance
        pnl = balances[chart.fx_pnl("USD")][1].credit_balance
        # Nothing created or lost: what the sender paid is split between us and the partner.
        assert fees + pnl + owed.credit_balance == send


async def _run_exchanged(send: int, fee: int, peg_minor: int, fail: bool) -> InMemoryLedger:
    ledger = await _topped_up(send, "GBP")
    path = MoneyPath("r1", "c1", "p1", "GBP", send, fee, "USDC", settlement_minor=peg_minor)
    await ledger.transfer(path.fund_from_wallet())
    await ledger.transfer(path.exchange_into_peg(peg_minor) + path.mint())
    return await _paid_or_refunded(ledger, path, fail)


@settings(max_examples=40, deadline=None)
@given(
    send=amounts,
    fee_share=st.decimals(0, Decimal("0.2"), places=3),
    rate=st.decimals(Decimal("0.5"), Decimal("2"), places=4),
    fail=st.booleans(),
)
def test_exchanged_money_path_balances(send, fee_share, rate, fail) -> None:
    """A GBP send settled in USDC: exchanged into USD at conversion, back again on a refund."""
    fee = int(send * fee_share)
    peg_minor = int((send - fee) * rate)
    ledger = asyncio.run(_run_exchanged(send, fee, peg_minor, fail))
    assert asyncio.run(ledger.check()) == []
    balances = asyncio.run(ledger.balances())
    wallet = balances[chart.wallet("c1", "GBP")][1].credit_balance
    assert balances[chart.issuance("USDC")][1].debit_balance == 0
    if fail:
        assert wallet == send
        assert balances[chart.fx_position("GBP")][1].credit_balance == 0
    else:
        assert wallet == 0
        assert balances[chart.partner("p1", "USD")][1].credit_balance == peg_minor
