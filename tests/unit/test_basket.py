"""The basket coin's money math, as properties (#23): BSKT is issued in whole creation units, so
its reserve moves in exact component minor units; mint then burn returns the reserve exactly;
supply = reserve after any sequence of remittances converted, paid out, failed or cancelled;
and one minor unit changed behind the ledger's back is a finding."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fx.coinmath import basket_reserve, coin_units_for, creation_unit, units_to_issue
from fx.money import exponent
from fx.stablecoins import BSKT, USDC
from gateway.domain.postings import MoneyPath
from ledger_adapter import chart
from ledger_adapter.audit import balance_findings
from ledger_adapter.memory import InMemoryLedger
from ledger_adapter.port import Account, Balance, TransferSpec

CU = creation_unit(BSKT)
units = st.integers(min_value=1, max_value=10**13)


def test_the_creation_unit_is_five_coins_of_whole_minor_units() -> None:
    assert CU == 5_000_000
    assert basket_reserve(BSKT, CU) == {"USD": 250, "EUR": 80, "JPY": 110, "GBP": 41, "SGD": 45}
    with pytest.raises(ValueError, match="not whole creation units"):
        basket_reserve(BSKT, 1_000_000)  # 1 BSKT holds 8.2 pence: refused, never rounded
    with pytest.raises(ValueError, match="not a basket coin"):
        creation_unit(USDC)


@given(st.integers(min_value=0, max_value=10**9))
def test_reserve_is_exactly_the_basket_amounts(k: int) -> None:
    reserve = basket_reserve(BSKT, k * CU)
    for currency, amount in (BSKT.basket or {}).items():
        exact = Fraction(amount) * k * CU / 10**6 * 10 ** exponent(currency)
        assert exact.denominator == 1 and reserve[currency] == exact


@given(units)
def test_issue_covers_what_was_bought_by_less_than_one_creation_unit(n: int) -> None:
    issued = units_to_issue(BSKT, n)
    assert issued % CU == 0 and n <= issued < n + CU


@given(
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1000000"), places=2),
    st.decimals(min_value=Decimal("0.1"), max_value=Decimal("200"), places=9),
)
def test_coin_bought_never_costs_more_than_was_paid(amount: Decimal, value: Decimal) -> None:
    n = coin_units_for(amount, value, BSKT)
    assert Decimal(n) * value <= amount * 10**6 < Decimal(n + 1) * value


SENDER, PARTNER, CUR = "c1", "p1", "SGD"
WALLET_START = 10**12


def _accounts() -> list[Account]:
    found = {a.id: a for a in chart.standard_accounts(CUR, "BSKT")}
    found.update({a.id: a for a in chart.basket_accounts("BSKT")})
    for asset in (CUR, "BSKT"):
        found[chart.partner(PARTNER, asset)] = chart.partner_account(PARTNER, asset)
    found[chart.wallet(SENDER, CUR)] = chart.wallet_account(SENDER, CUR)
    return list(found.values())


async def _ledger() -> InMemoryLedger:
    ledger = InMemoryLedger()
    await ledger.create_accounts(_accounts())
    await ledger.transfer(
        [TransferSpec("topup", chart.cash(CUR), chart.wallet(SENDER, CUR), WALLET_START, CUR)]
    )
    return ledger


def _path(i: int, send_minor: int, fee_minor: int, bought: int | None) -> MoneyPath:
    return MoneyPath(f"r{i}", SENDER, PARTNER, CUR, send_minor, fee_minor, "BSKT", bought)


async def _balances(ledger: InMemoryLedger) -> dict[str, Balance]:
    return {aid: b for aid, (_asset, b) in (await ledger.balances()).items()}


@given(units)
def test_mint_then_burn_returns_the_reserve_exactly(n: int) -> None:
    async def run() -> None:
        ledger = await _ledger()
        issued = units_to_issue(BSKT, n)
        before = await _balances(ledger)
        await ledger.transfer(chart.basket_mint("m", "BSKT", n, issued))
        moved = await _balances(ledger)
        for cur, amount in basket_reserve(BSKT, issued).items():
            account = chart.reserve_component("BSKT", cur)
            assert moved[account].credit_balance - before[account].credit_balance == amount
        assert moved[chart.issuance("BSKT")].debit_balance == issued
        assert await ledger.check() == []
        await ledger.transfer(chart.basket_burn("b", "BSKT", n, issued))
        after = await _balances(ledger)
        for account, b in before.items():
            assert after[account].credit_balance == b.credit_balance, account
        assert await ledger.check() == []

    asyncio.run(run())


remittance = st.tuples(
    st.integers(min_value=1_500, max_value=400_000),  # send amount, SGD cents
    st.integers(min_value=0, max_value=1_400),  # fee
    st.decimals(min_value=Decimal("0.5"), max_value=Decimal("3"), places=9),  # BSKT in SGD
    st.sampled_from(["paid_out", "failed", "cancelled", "in_flight"]),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(remittance, min_size=1, max_size=12), st.randoms(use_true_random=False))
def test_supply_equals_reserve_after_any_sequence(steps, rnd) -> None:
    """Remittances convert at their own basket values, then are paid out, refunded after a
    failure or a cancel, or left in flight, their steps interleaved in any order; the books
    hold after every step, and every sender refunded gets all of it back."""

    async def run() -> None:
        ledger = await _ledger()
        paths = []
        for i, (send, fee, value, _end) in enumerate(steps):
            bought = coin_units_for(Decimal(send - fee).scaleb(-2), value, BSKT)
            paths.append(_path(i, send, fee, bought))
        # Each remittance's steps in order, the remittances' steps shuffled among each other.
        queues = [[*_steps(path, end)] for path, (*_, end) in zip(paths, steps, strict=True)]
        while any(queues):
            queue = rnd.choice([q for q in queues if q])
            await queue.pop(0)(ledger)
            assert await ledger.check() == []
        refunded = sum(s for s, *_, end in steps if end in ("failed", "cancelled"))
        held = await _balances(ledger)
        spent = sum(s for s, *_ in steps) - refunded
        assert held[chart.wallet(SENDER, CUR)].credit_balance == WALLET_START - spent
        if all(end != "in_flight" for *_, end in steps):  # all burnt: no coin, reserve, change
            assert held[chart.issuance("BSKT")].debit_balance == 0
            assert held[chart.change("BSKT")].credit_balance == 0
            for cur in BSKT.basket or {}:
                assert held[chart.reserve_component("BSKT", cur)].credit_balance == 0

    asyncio.run(run())


def _steps(path: MoneyPath, end: str):
    """One remittance's ledger steps as the pipeline runs them, each a call on the ledger."""
    yield lambda ledger: ledger.transfer(path.fund_from_wallet())
    yield lambda ledger: ledger.transfer(path.conversion())
    yield lambda ledger: ledger.transfer([path.reserve_for_partner()])
    if end == "paid_out":
        yield lambda ledger: ledger.post_pending(path.post_id, path.payout_transfer_id)
        yield lambda ledger: ledger.transfer(path.settle_partner())
    elif end in ("failed", "cancelled"):
        yield lambda ledger: ledger.void_pending(path.void_id, path.payout_transfer_id)
        yield lambda ledger: ledger.transfer(path.refund_to_wallet())


@given(units, st.sampled_from(sorted(BSKT.basket or {})), st.sampled_from([-1, 1]))
def test_one_minor_unit_off_in_any_component_is_a_finding(n: int, cur: str, by: int) -> None:
    issued = units_to_issue(BSKT, n)
    rows = []
    for account, b in _balances_after_mint(n, issued).items():
        if account == chart.reserve_component("BSKT", cur):
            b = Balance(b.debits_posted, b.credits_posted + by)
        rows.append((Account(account, _asset(account)), b))
    findings = balance_findings(rows)
    assert any(f.startswith(f"BSKT: supply {issued} needs") and cur in f for f in findings)


def _asset(account: str) -> str:
    return account.rsplit(":", 1)[1]


def _balances_after_mint(n: int, issued: int) -> dict[str, Balance]:
    async def run() -> dict[str, Balance]:
        ledger = await _ledger()
        await ledger.transfer(chart.basket_mint("m", "BSKT", n, issued))
        return await _balances(ledger)

    return asyncio.run(run())
