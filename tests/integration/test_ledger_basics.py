"""Ledger port semantics, on the in-memory model and on SqlLedger (SQLite or PostgreSQL)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from ledger_adapter import chart
from ledger_adapter.memory import InMemoryLedger
from ledger_adapter.port import (
    Account,
    AccountConflict,
    AccountFlags,
    AccountNotFound,
    AssetMismatch,
    Balance,
    IdempotencyConflict,
    InsufficientFunds,
    InvalidTransfer,
    Ledger,
    PendingAlreadyResolved,
    PendingExpired,
    TransferNotFound,
    TransferSpec,
)
from ledger_adapter.sql import SqlLedger, create_tables

DMNEC = AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(params=["memory", "sql"])
async def ledger(request, database_url: str, clock: Clock) -> AsyncIterator[Ledger]:
    if request.param == "memory":
        yield InMemoryLedger(clock=clock)
        return
    engine = create_async_engine(database_url)
    await create_tables(engine)
    try:
        yield SqlLedger(engine, hmac_key=b"k" * 32, clock=clock)
    finally:
        await engine.dispose()


async def setup(ledger: Ledger) -> None:
    await ledger.create_accounts(
        [
            Account("bank", "USD"),
            Account("alice", "USD", DMNEC),
            Account("bob", "USD", DMNEC),
            Account("coin", "USDC"),
        ]
    )
    await ledger.transfer([TransferSpec("fund", "bank", "alice", 10_000, "USD")])


async def test_protocol_and_posted_transfer(ledger: Ledger) -> None:
    assert isinstance(ledger, Ledger)
    await setup(ledger)
    await ledger.transfer([TransferSpec("t1", "alice", "bob", 2_500, "USD", code="p2p")])
    assert await ledger.balance("alice") == Balance(2_500, 10_000, 0, 0)
    assert (await ledger.balance("bob")).credit_balance == 2_500
    assert (await ledger.balance("bank")).debit_balance == 10_000
    assert await ledger.check() == []


async def test_transfers_read_by_id_in_one_call(ledger: Ledger) -> None:
    """Applied transfers come back by id; ids never applied, or failed, are absent."""
    await setup(ledger)
    await ledger.transfer([TransferSpec("t1", "alice", "bob", 100, "USD")])
    with pytest.raises(InsufficientFunds):
        await ledger.transfer([TransferSpec("broke", "alice", "bob", 1_000_000, "USD")])
    found = await ledger.get_transfers(["t1", "fund", "never", "broke", "t1"])
    assert set(found) == {"t1", "fund"}
    assert (found["t1"].amount, found["t1"].credit_account) == (100, "bob")
    assert found["fund"] == await ledger.get_transfer("fund")
    assert await ledger.get_transfer("broke") is None
    assert await ledger.get_transfers([]) == {}


async def test_accounts_idempotent_and_conflicting(ledger: Ledger) -> None:
    await setup(ledger)
    await ledger.create_accounts([Account("alice", "USD", DMNEC)])
    with pytest.raises(AccountConflict):
        await ledger.create_accounts([Account("alice", "USD")])
    with pytest.raises(AccountConflict):
        await ledger.create_accounts([Account("alice", "EUR", DMNEC)])
    with pytest.raises(AccountNotFound):
        await ledger.balance("nobody")


async def test_insufficient_funds_and_linked_atomicity(ledger: Ledger) -> None:
    await setup(ledger)
    with pytest.raises(InsufficientFunds) as err:
        await ledger.transfer(
            [
                TransferSpec("a", "alice", "bob", 6_000, "USD"),
                TransferSpec("b", "alice", "bob", 6_000, "USD"),
            ]
        )
    assert err.value.transfer_id == "b"
    assert await ledger.balance("bob") == Balance()
    assert await ledger.history("bob") == []
    assert await ledger.check() == []


async def test_idempotency(ledger: Ledger) -> None:
    await setup(ledger)
    spec = TransferSpec("t1", "alice", "bob", 100, "USD")
    await ledger.transfer([spec])
    await ledger.transfer([spec])
    assert (await ledger.balance("bob")).credit_balance == 100
    with pytest.raises(IdempotencyConflict):
        await ledger.transfer([TransferSpec("t1", "alice", "bob", 101, "USD")])
    # a failed id stays failed, even once funds would suffice
    big = TransferSpec("t2", "alice", "bob", 20_000, "USD")
    with pytest.raises(InsufficientFunds):
        await ledger.transfer([big])
    await ledger.transfer([TransferSpec("more", "bank", "alice", 50_000, "USD")])
    with pytest.raises(InsufficientFunds):
        await ledger.transfer([big])
    with pytest.raises(IdempotencyConflict):
        await ledger.transfer([TransferSpec("t2", "alice", "bob", 1, "USD")])
    assert (await ledger.balance("bob")).credit_balance == 100


async def test_refusals(ledger: Ledger) -> None:
    await setup(ledger)
    with pytest.raises(AccountNotFound):
        await ledger.transfer([TransferSpec("x1", "alice", "ghost", 1, "USD")])
    with pytest.raises(AssetMismatch):
        await ledger.transfer([TransferSpec("x2", "alice", "coin", 1, "USD")])
    for bad in (0, -1, 1.5, True):
        with pytest.raises(InvalidTransfer):
            await ledger.transfer([TransferSpec("x3", "alice", "bob", bad, "USD")])  # type: ignore[arg-type]
    with pytest.raises(InvalidTransfer):
        await ledger.transfer([TransferSpec("x4", "alice", "alice", 1, "USD")])


async def test_pending_post_partial_and_void(ledger: Ledger) -> None:
    await setup(ledger)
    await ledger.transfer([TransferSpec("p1", "alice", "bob", 4_000, "USD", pending=True)])
    assert (await ledger.balance("alice")).available == 6_000
    with pytest.raises(InsufficientFunds):
        await ledger.transfer([TransferSpec("t", "alice", "bob", 7_000, "USD")])
    with pytest.raises(InvalidTransfer):
        await ledger.post_pending("post-too-much", "p1", 4_001)
    await ledger.post_pending("post1", "p1", 3_000)
    await ledger.post_pending("post1", "p1", 3_000)  # retry: no-op
    assert await ledger.balance("alice") == Balance(3_000, 10_000, 0, 0)
    assert await ledger.balance("bob") == Balance(0, 3_000, 0, 0)
    with pytest.raises(PendingAlreadyResolved):
        await ledger.void_pending("void1", "p1")
    with pytest.raises(IdempotencyConflict):
        await ledger.post_pending("post1", "p1")
    with pytest.raises(TransferNotFound):
        await ledger.post_pending("post2", "nope")
    await ledger.transfer([TransferSpec("p2", "alice", "bob", 1_000, "USD", pending=True)])
    await ledger.void_pending("void2", "p2")
    await ledger.void_pending("void2", "p2")
    assert (await ledger.balance("alice")).available == 7_000
    assert [t.kind for t in await ledger.history("bob")] == ["pending", "post", "pending", "void"]
    assert await ledger.check() == []


async def test_sweep_expired(ledger: Ledger, clock: Clock) -> None:
    await setup(ledger)
    await ledger.transfer(
        [
            TransferSpec("p1", "alice", "bob", 100, "USD", pending=True, timeout_s=60),
            TransferSpec("p2", "alice", "bob", 200, "USD", pending=True, timeout_s=600),
            TransferSpec("p3", "alice", "bob", 300, "USD", pending=True),
        ]
    )
    assert await ledger.sweep_expired(clock.now + timedelta(seconds=59)) == 0
    assert await ledger.sweep_expired(clock.now + timedelta(seconds=61)) == 1
    assert await ledger.sweep_expired(clock.now + timedelta(seconds=61)) == 0
    clock.now += timedelta(seconds=601)
    with pytest.raises(PendingExpired):
        await ledger.post_pending("late", "p2")
    assert await ledger.sweep_expired() == 1
    assert await ledger.balance("alice") == Balance(0, 10_000, 300, 0)
    assert await ledger.check() == []


async def test_balances_prefix(ledger: Ledger) -> None:
    await setup(ledger)
    await ledger.create_accounts([Account("al_x", "USD"), Account("alxx", "USD")])
    got = await ledger.balances("al")
    assert set(got) == {"alice", "al_x", "alxx"}
    assert set(await ledger.balances("al_")) == {"al_x"}
    assert got["alice"] == ("USD", Balance(0, 10_000, 0, 0))


async def test_chart_remittance_path_keeps_supply_equal_reserve(ledger: Ledger) -> None:
    await ledger.create_accounts(
        [
            *chart.standard_accounts("USD", "USDC"),
            chart.wallet_account("c1", "USD"),
            chart.partner_account("p1", "USDC"),
            chart.partner_account("p1", "USD"),
        ]
    )
    await ledger.transfer(
        [TransferSpec("top", chart.cash("USD"), chart.wallet("c1", "USD"), 20_000, "USD")]
    )
    for rid, outcome in (("r1", "paid"), ("r2", "failed")):
        await ledger.transfer(
            [chart.fund(f"{rid}:fund", "c1", "USD", 10_000), chart.fee(f"{rid}:fee", "USD", 200)]
        )
        await ledger.transfer(
            chart.mint(f"{rid}:mint", 9_800, "USD", "USDC", chart.clearing("USD"))
        )
        await ledger.transfer([chart.to_partner(f"{rid}:out", "USDC", "p1", 98_000_000)])
        assert await ledger.check() == []
        if outcome == "paid":
            await ledger.post_pending(f"{rid}:paid", f"{rid}:out")
            await ledger.transfer(
                chart.burn(
                    f"{rid}:burn",
                    9_800,
                    "USD",
                    "USDC",
                    chart.partner("p1", "USD"),
                    coin_from=chart.partner("p1", "USDC"),
                )
            )
        else:
            await ledger.void_pending(f"{rid}:void", f"{rid}:out")
            await ledger.transfer(
                chart.burn(f"{rid}:burn", 9_800, "USD", "USDC", chart.clearing("USD"))
            )
            await ledger.transfer(
                [
                    TransferSpec(
                        f"{rid}:refund",
                        chart.clearing("USD"),
                        chart.wallet("c1", "USD"),
                        9_800,
                        "USD",
                    )
                ]
            )
        assert await ledger.check() == []
    assert (await ledger.balance(chart.issuance("USDC"))).debit_balance == 0
    assert (await ledger.balance(chart.wallet("c1", "USD"))).credit_balance == 20_000 - 10_000 - 200
    assert (await ledger.balance(chart.partner("p1", "USD"))).credit_balance == 9_800
    assert (await ledger.balance(chart.fees("USD"))).credit_balance == 400


async def test_check_finds_unbacked_mint(ledger: Ledger) -> None:
    await ledger.create_accounts(chart.standard_accounts("USD", "USDC"))
    await ledger.transfer(
        [TransferSpec("rogue", chart.issuance("USDC"), chart.treasury("USDC"), 5, "USDC")]
    )
    findings = await ledger.check()
    assert any("USDC: supply 5" in f for f in findings), findings
