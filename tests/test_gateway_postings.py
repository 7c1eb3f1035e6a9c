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


async def _run(send: int, fee: int, spread: int, fx: int, fail: bool) -> InMemoryLedger:
    ledger = InMemoryLedger()
    await ledger.create_accounts(
        [
            *chart.standard_accounts("USD", "USDC"),
            chart.wallet_account("c1", "USD"),
            chart.partner_account("p1", "USDC"),
            chart.partner_account("p1", "USD"),
        ]
    )
    await ledger.transfer(
        [TransferSpec("top", chart.cash("USD"), chart.wallet("c1", "USD"), send, "USD")]
    )
    path = MoneyPath("r1", "c1", "p1", "USD", send, fee, "USDC")
    await ledger.transfer(path.fund_from_wallet())
    await ledger.transfer(path.mint())
    await ledger.transfer([path.reserve_for_partner()])
    if fail:
        await ledger.void_pending(path.void_id, path.payout_transfer_id)
        await ledger.transfer(path.refund_to_wallet())
    else:
        await ledger.post_pending(path.post_id, path.payout_transfer_id)
        await ledger.transfer(
            path.settle_partner()
            + path.settlement_result(Money.from_minor(spread, "USD"), Money.from_minor(fx, "USD"))
        )
    return ledger


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
