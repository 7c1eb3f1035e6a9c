"""A seeded random workload on SqlLedger, compared with InMemoryLedger after every step.

Steps: single transfers and linked batches (some overdrawing, some to unknown accounts or in
the wrong asset), resends of earlier requests, reuses of ids with another body, pending
transfers with and without timeouts, posts (full, partial, too much) and voids, post/void races,
sweeps, and crashes: a request cancelled at a random await, the engine thrown away, a new one
opened on the same database and the request retried (at-least-once, as the pipeline does).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from ledger_adapter.memory import InMemoryLedger
from ledger_adapter.port import Account, AccountFlags, LedgerError, TransferSpec
from ledger_adapter.sql import SqlLedger, create_tables

DMNEC = AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS
CMNED = AccountFlags.CREDITS_MUST_NOT_EXCEED_DEBITS
ACCOUNTS = [
    Account("usd:bank", "USD"),
    Account("usd:a", "USD", DMNEC),
    Account("usd:b", "USD", DMNEC),
    Account("usd:c", "USD", DMNEC),
    Account("usd:d", "USD", CMNED),
    Account("usd:e", "USD"),
    Account("eur:bank", "EUR"),
    Account("eur:a", "EUR", DMNEC),
]
NAMES = [a.id for a in ACCOUNTS] + ["usd:ghost"]
STEPS = 160
KEY = b"model-key"
SEEDS = [int(s) for s in os.environ.get("LEDGER_MODEL_SEEDS", "20260301,7,99").split(",")]

Call = Callable[[object], Awaitable[object]]


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def outcome(result: object) -> str:
    if isinstance(result, BaseException):
        assert isinstance(result, LedgerError), repr(result)
        return type(result).__name__
    return "ok"


async def run(call: Call, ledger: object) -> str:
    try:
        await call(ledger)
    except LedgerError as exc:
        return type(exc).__name__
    return "ok"


class Workload:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.sent: list[Call] = []
        self.pendings: list[str] = []
        self.n = 0

    def new_id(self, prefix: str = "t") -> str:
        self.n += 1
        return f"{prefix}{self.n}"

    def spec(self, pending: bool = False) -> TransferSpec:
        rng = self.rng
        debit, credit = rng.sample(NAMES, 2)
        asset = "EUR" if debit.startswith("eur") and rng.random() < 0.9 else "USD"
        amount = rng.choice([1, 5, 50, 300, 2_000, 9_000])
        timeout = rng.choice([None, None, 30, 300]) if pending else None
        tid = self.new_id("p" if pending else "t")
        if pending:
            self.pendings.append(tid)
        return TransferSpec(tid, debit, credit, amount, asset, pending, timeout, "w")

    def next_call(self) -> tuple[str, Call]:
        rng = self.rng
        kind = rng.choices(
            [
                "fund",
                "single",
                "batch",
                "pending",
                "post",
                "void",
                "resend",
                "reuse",
                "race",
                "sweep",
                "crash",
            ],
            [3, 6, 3, 4, 3, 2, 3, 1, 2, 2, 2],
        )[0]
        if kind == "fund":
            specs = [
                TransferSpec(
                    self.new_id(), "usd:bank", rng.choice(["usd:a", "usd:b", "usd:c"]), 5_000, "USD"
                ),
                TransferSpec(self.new_id(), "eur:bank", "eur:a", 3_000, "EUR"),
            ]
            call: Call = lambda lg, s=specs: lg.transfer(s)  # noqa: E731
        elif kind in ("single", "crash"):
            spec = self.spec(pending=rng.random() < 0.2)
            call = lambda lg, s=spec: lg.transfer([s])  # noqa: E731
        elif kind == "batch":
            specs = [self.spec(pending=rng.random() < 0.3) for _ in range(rng.randint(2, 4))]
            call = lambda lg, s=specs: lg.transfer(s)  # noqa: E731
        elif kind == "pending":
            spec = self.spec(pending=True)
            call = lambda lg, s=spec: lg.transfer([s])  # noqa: E731
        elif kind in ("post", "void") and self.pendings:
            pid = rng.choice([*self.pendings, "p-missing"])
            rid = self.new_id("r")
            if kind == "post":
                amount = rng.choice([None, None, 1, 40, 10_000])
                call = lambda lg, i=rid, p=pid, a=amount: lg.post_pending(i, p, a)  # noqa: E731
            else:
                call = lambda lg, i=rid, p=pid: lg.void_pending(i, p)  # noqa: E731
        elif kind == "resend" and self.sent:
            return "resend", rng.choice(self.sent)
        elif kind == "reuse" and self.sent:
            spec = self.spec()
            old = self.rng.choice([f"t{i}" for i in range(1, self.n)] or ["t0"])
            spec = TransferSpec(old, spec.debit_account, spec.credit_account, 7, "USD")
            call = lambda lg, s=spec: lg.transfer([s])  # noqa: E731
        elif kind == "race" and self.pendings:
            return "race", None  # type: ignore[return-value]
        elif kind == "sweep":
            return "sweep", None  # type: ignore[return-value]
        else:
            spec = self.spec()
            call = lambda lg, s=spec: lg.transfer([s])  # noqa: E731
            kind = "single"
        self.sent.append(call)
        return kind, call


async def compare(sql: SqlLedger, model: InMemoryLedger, deep: bool) -> None:
    assert await sql.balances() == await model.balances()
    if deep:
        for acc in ACCOUNTS:
            assert await sql.history(acc.id) == await model.history(acc.id)
        assert await sql.check() == []
        assert await model.check() == []


@pytest.mark.parametrize("seed", SEEDS)
async def test_random_workload_matches_model(database_url: str, seed: int) -> None:
    clock = Clock()
    engine = create_async_engine(database_url)
    await create_tables(engine)
    sql = SqlLedger(engine, hmac_key=KEY, clock=clock)
    model = InMemoryLedger(clock=clock)
    await sql.create_accounts(ACCOUNTS)
    await model.create_accounts(ACCOUNTS)
    work = Workload(seed)
    seen: dict[str, int] = {}
    try:
        for step in range(STEPS):
            clock.now += timedelta(seconds=work.rng.choice([0, 1, 7, 45]))
            kind, call = work.next_call()
            seen[kind] = seen.get(kind, 0) + 1
            if kind == "sweep":
                at = clock.now + timedelta(seconds=work.rng.choice([0, 40, 400]))
                assert await sql.sweep_expired(at) == await model.sweep_expired(at)
            elif kind == "race":
                pid = work.rng.choice(work.pendings)
                post_id, void_id = work.new_id("rp"), work.new_id("rv")
                got = await asyncio.gather(
                    sql.post_pending(post_id, pid),
                    sql.void_pending(void_id, pid),
                    return_exceptions=True,
                )
                names = [outcome(r) for r in got]
                # the loser's error tells the order: "already resolved" means it ran second
                order = [0, 1]
                if names.count("ok") == 1:
                    win = names.index("ok")
                    second = names[1 - win] == "PendingAlreadyResolved"
                    order = [win, 1 - win] if second else [1 - win, win]
                calls = [
                    lambda lg, i=post_id, p=pid: lg.post_pending(i, p),
                    lambda lg, i=void_id, p=pid: lg.void_pending(i, p),
                ]
                for i in order:
                    assert await run(calls[i], model) == names[i], (step, kind, names)
                assert names.count("ok") <= 1
            elif kind == "crash":
                task = asyncio.ensure_future(call(sql))
                for _ in range(work.rng.randint(0, 25)):
                    await asyncio.sleep(0)  # let it reach a random await, then kill it
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, LedgerError):
                    await task
                await engine.dispose()  # the process died; a new one opens the database
                engine = create_async_engine(database_url)
                sql = SqlLedger(engine, hmac_key=KEY, clock=clock)
                assert await run(call, sql) == await run(call, model), (step, kind)
            else:
                assert await run(call, sql) == await run(call, model), (step, kind)
            await compare(sql, model, deep=step % 20 == 19)
        await compare(sql, model, deep=True)
    finally:
        await engine.dispose()
    assert {"race", "crash", "resend", "post", "void", "sweep", "batch"} <= set(seen), seen
    moved = sum(b.credits_posted for _, b in (await model.balances()).values())
    assert moved > 20_000  # the workload really moved money
