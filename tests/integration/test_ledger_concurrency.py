"""Concurrent writers never lose or double-apply money (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from ledger_adapter.port import (
    Account,
    AccountFlags,
    Balance,
    InsufficientFunds,
    LedgerError,
    PendingAlreadyResolved,
    TransferSpec,
)
from ledger_adapter.sql import SqlLedger, create_tables

N_ACCOUNTS = 10
START = 5_000


@pytest.fixture
async def ledger(database_url: str) -> AsyncIterator[SqlLedger]:
    engine = create_async_engine(database_url, pool_size=10, max_overflow=10)
    await create_tables(engine)
    ledger = SqlLedger(engine, hmac_key=b"k")
    accounts = [f"acc{i}" for i in range(N_ACCOUNTS)]
    await ledger.create_accounts(
        [Account("bank", "USD")]
        + [Account(a, "USD", AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS) for a in accounts]
    )
    await ledger.transfer([TransferSpec(f"seed-{a}", "bank", a, START, "USD") for a in accounts])
    try:
        yield ledger
    finally:
        await engine.dispose()


async def test_200_concurrent_transfers_exact_balances(ledger: SqlLedger) -> None:
    rng = random.Random(7)
    specs = []
    for i in range(200):
        src, dst = rng.sample(range(N_ACCOUNTS), 2)
        specs.append(TransferSpec(f"c{i}", f"acc{src}", f"acc{dst}", rng.randint(1, 900), "USD"))
    # every tenth transfer is also sent twice more, concurrently with itself
    work = specs + specs[::10] + specs[::10]
    rng.shuffle(work)
    results = await asyncio.gather(*(ledger.transfer([s]) for s in work), return_exceptions=True)
    outcome: dict[str, object] = {}
    for spec, res in zip(work, results, strict=True):
        assert res is None or isinstance(res, InsufficientFunds), res
        assert outcome.setdefault(spec.id, type(res)) is type(res), "duplicates disagree"
    expected = {f"acc{i}": [0, START] for i in range(N_ACCOUNTS)}
    applied = [s for s in specs if outcome[s.id] is type(None)]
    assert len(applied) > 150  # the test must actually move money
    for s in applied:
        expected[s.debit_account][0] += s.amount
        expected[s.credit_account][1] += s.amount
    got = await ledger.balances("acc")
    assert {k: (v[1].debits_posted, v[1].credits_posted) for k, v in got.items()} == {
        k: tuple(v) for k, v in expected.items()
    }
    assert all(b.credit_balance >= 0 for _, b in got.values())
    assert await ledger.count() == N_ACCOUNTS + len(applied)
    assert await ledger.check() == []


async def test_post_void_race_resolves_once(ledger: SqlLedger) -> None:
    pendings = [TransferSpec(f"p{i}", "acc0", "acc1", 10, "USD", pending=True) for i in range(20)]
    await ledger.transfer(pendings)
    calls = []
    for i in range(20):
        calls.append(ledger.post_pending(f"post{i}", f"p{i}"))
        calls.append(ledger.void_pending(f"void{i}", f"p{i}"))
    results = await asyncio.gather(*calls, return_exceptions=True)
    wins = [r for r in results if r is None]
    assert len(wins) == 20
    assert all(r is None or isinstance(r, PendingAlreadyResolved) for r in results), results
    posted = sum(1 for i in range(20) if results[2 * i] is None)
    assert await ledger.balance("acc1") == Balance(0, START + 10 * posted, 0, 0)
    assert await ledger.check() == []


async def test_concurrent_overdraft_attempts_never_go_negative(ledger: SqlLedger) -> None:
    # 30 concurrent debits of 400 from an account holding 5,000: exactly 12 may pass
    results = await asyncio.gather(
        *(ledger.transfer([TransferSpec(f"d{i}", "acc3", "acc4", 400, "USD")]) for i in range(30)),
        return_exceptions=True,
    )
    assert sum(r is None for r in results) == 12
    assert all(r is None or isinstance(r, LedgerError) for r in results)
    assert (await ledger.balance("acc3")).credit_balance == START - 12 * 400
    assert await ledger.check() == []


async def test_sweeper_racing_posts_resolves_each_pending_once(ledger: SqlLedger) -> None:
    pendings = [
        TransferSpec(f"q{i}", "acc5", "acc6", 10, "USD", pending=True, timeout_s=60)
        for i in range(20)
    ]
    await ledger.transfer(pendings)
    later = datetime.now(UTC) + timedelta(seconds=120)
    posts = [ledger.post_pending(f"qp{i}", f"q{i}") for i in range(0, 20, 2)]
    results = await asyncio.gather(
        ledger.sweep_expired(later), ledger.sweep_expired(later), *posts, return_exceptions=True
    )
    swept = results[0] + results[1]
    posted = sum(r is None for r in results[2:])
    assert all(r is None or isinstance(r, PendingAlreadyResolved) for r in results[2:]), results
    assert swept + posted == 20
    b = await ledger.balance("acc6")
    assert (b.credits_pending, b.credits_posted) == (0, START + 10 * posted)
    assert await ledger.check() == []


async def test_a_failure_in_the_head_lock_leaves_no_open_transaction(
    database_url: str, monkeypatch
) -> None:
    """Regression: a deadlock inside the BEGIN + head-lock message left the pooled connection
    in an aborted transaction, and the next user of that connection failed."""
    if not database_url.startswith("postgresql"):
        pytest.skip("the PostgreSQL write path")
    from sqlalchemy import text

    from ledger_adapter import pg

    engine = create_async_engine(database_url, pool_size=1, max_overflow=0)
    try:
        await create_tables(engine)
        ledger = SqlLedger(engine)
        await ledger.create_accounts([Account("a", "USD"), Account("b", "USD")])
        failing = pg.BEGIN_AND_LOCK_HEAD.replace("SELECT 1 FROM", "SELECT 1 / 0 FROM")
        failing += "; SELECT 1 / 0"  # fails whether or not the head row exists yet
        monkeypatch.setattr(pg, "BEGIN_AND_LOCK_HEAD", failing)
        with pytest.raises(Exception, match="division by zero"):
            await ledger.transfer([TransferSpec("t1", "a", "b", 5, "USD")])
        monkeypatch.undo()
        async with engine.begin() as conn:  # the same (only) pooled connection
            assert (await conn.execute(text("SELECT 1"))).scalar_one() == 1
        await ledger.transfer([TransferSpec("t1", "a", "b", 5, "USD")])
        assert (await ledger.balance("b")).credits_posted == 5
    finally:
        await engine.dispose()


async def test_concurrent_batches_share_a_transaction_and_keep_their_own_outcome(
    ledger: SqlLedger,
) -> None:
    """Batches arriving together are decided one after the other in one transaction: a
    refused batch changes nothing and is recorded, the others apply, and a pending made by one
    batch can be posted by the next."""
    from sqlalchemy import event, text

    from ledger_adapter import core

    commits = []  # SQLite: SQLAlchemy commits (PostgreSQL's go to asyncpg directly: xmin below)

    def on_commit(conn) -> None:
        commits.append(conn)

    event.listen(ledger.engine.sync_engine, "commit", on_commit)
    results = await asyncio.gather(
        ledger.transfer([TransferSpec("g-ok1", "acc0", "acc1", 100, "USD")]),
        ledger.transfer(
            [
                TransferSpec("g-big", "acc2", "acc3", START + 1, "USD"),  # overdraws acc2
                TransferSpec("g-linked", "acc4", "acc5", 1, "USD"),
            ]
        ),
        ledger.transfer([TransferSpec("g-pend", "acc6", "acc7", 300, "USD", pending=True)]),
        ledger.execute([core.PostOp("g-post", "g-pend", 200)]),
        ledger.transfer([TransferSpec("g-ok1", "acc0", "acc1", 100, "USD")]),  # a replay
        return_exceptions=True,
    )
    assert results[0] is None and results[2] is None and results[4] is None
    assert isinstance(results[1], InsufficientFunds)
    assert results[3] == 1
    balances = {a: await ledger.balance(a) for a in ("acc0", "acc1", "acc4", "acc6", "acc7")}
    assert balances["acc0"].debits_posted == 100 and balances["acc1"].credits_posted == START + 100
    assert balances["acc4"].debits_posted == 0  # the linked partner of the refused transfer
    assert balances["acc6"] == Balance(200, START, 0, 0)
    assert balances["acc7"] == Balance(0, START + 200, 0, 0)
    if ledger.engine.dialect.name == "sqlite":
        assert len(commits) == 1  # one transaction committed all five
    event.remove(ledger.engine.sync_engine, "commit", on_commit)
    with pytest.raises(InsufficientFunds):  # refused once, refused for good
        await ledger.transfer([TransferSpec("g-big", "acc2", "acc3", START + 1, "USD")])
    if ledger.engine.dialect.name == "postgresql":
        async with ledger.engine.connect() as conn:
            xids = await conn.scalar(
                text(
                    "SELECT count(DISTINCT xmin::text) FROM ledger_transfers "
                    "WHERE id IN ('g-ok1', 'g-pend', 'g-post')"
                )
            )
        assert xids == 1  # one transaction committed all three
    assert await ledger.check() == []


async def test_a_writer_trusts_what_it_remembers_only_while_the_head_has_not_moved(
    database_url: str, monkeypatch
) -> None:
    """Two ledgers on one database, as two processes would be. The one that wrote last decides
    plain transfers on the balances it remembers, without reading them again; once the other
    has written, or an id is seen again, it reads the database before deciding."""
    from ledger_adapter import pg, sql
    from ledger_adapter.port import IdempotencyConflict

    engines = [create_async_engine(database_url) for _ in range(2)]
    try:
        await create_tables(engines[0])
        a, b = (SqlLedger(e) for e in engines)
        await a.create_accounts(
            [
                Account("bank", "USD"),
                Account("w", "USD", AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS),
            ]
        )
        await a.transfer([TransferSpec("fund", "bank", "w", 100, "USD")])  # a reads, remembers

        # a wrote last: its next transfer reads no account (on PostgreSQL it does not even
        # open the four-round-trip transaction)
        with monkeypatch.context() as m:
            m.setattr(pg, "BEGIN_AND_LOCK_HEAD", "SELECT 1 / 0")
            m.setattr(SqlLedger, "_load_sqlite", None)
            await a.transfer([TransferSpec("spend1", "w", "bank", 10, "USD")])

        # b spends most of w; a still remembers 90 available, the database holds 20
        await b.transfer([TransferSpec("spend2", "w", "bank", 70, "USD")])
        with pytest.raises(InsufficientFunds):
            await a.transfer([TransferSpec("spend3", "w", "bank", 50, "USD")])
        # after a miss a reads before deciding, until a read finds the head where it left it
        with monkeypatch.context() as m:
            m.setattr(pg, "APPEND_AT_HEAD", "SELECT 1 / 0")
            m.setattr(sql, "_SQLITE_PROBE", sql.text("SELECT 1 / 0"))
            await a.transfer([TransferSpec("spend4", "w", "bank", 20, "USD")])  # exact

        # a wrote last again; b records a refusal, which does not move the head
        await a.transfer([TransferSpec("fund2", "bank", "w", 100, "USD")])
        with pytest.raises(InsufficientFunds):
            await b.transfer([TransferSpec("over", "w", "bank", 1_000, "USD")])
        # on a's memory "over" with a smaller amount would apply; the id failed for good
        with pytest.raises(IdempotencyConflict):
            await a.transfer([TransferSpec("over", "w", "bank", 1, "USD")])
        # a replay of an applied id is a no-op, not a second debit
        await a.transfer([TransferSpec("spend4", "w", "bank", 20, "USD")])
        with pytest.raises(IdempotencyConflict):
            await a.transfer([TransferSpec("spend4", "w", "bank", 21, "USD")])

        assert await a.balance("w") == Balance(100, 200, 0, 0)
        assert await a.check() == []
    finally:
        for e in engines:
            await e.dispose()


async def test_a_replay_on_the_remembered_path_is_caught_by_the_journal_and_applies_nothing(
    ledger: SqlLedger, monkeypatch
) -> None:
    """The one-statement path (PostgreSQL) does not probe the journal for the batch's ids: an
    id already applied fails the statement on the unique index, and the batch is decided on
    the database's view instead, where the replay is a no-op."""
    if ledger.engine.dialect.name != "postgresql":
        pytest.skip("the one-statement path is PostgreSQL's")
    from ledger_adapter import pg

    await ledger.transfer([TransferSpec("t1", "acc0", "acc1", 10, "USD")])
    await ledger.transfer([TransferSpec("t2", "acc0", "acc1", 10, "USD")])  # trusted again
    assert ledger._known.trusted
    tried = []
    original = pg._apply_known

    async def spy(*args, **kwargs):
        plans = await original(*args, **kwargs)
        tried.append(plans is not None)
        return plans

    monkeypatch.setattr(pg, "_apply_known", spy)
    # a batch of a new id and a replayed one: all or nothing, so neither may apply twice
    await ledger.transfer(
        [
            TransferSpec("t3", "acc0", "acc1", 10, "USD"),
            TransferSpec("t1", "acc0", "acc1", 10, "USD"),
        ]
    )
    assert tried == [False]  # the remembered path ran and wrote nothing
    assert await ledger.balance("acc0") == Balance(30, START, 0, 0)
    assert await ledger.balance("acc1") == Balance(0, START + 30, 0, 0)
    assert await ledger.check() == []
