"""Ledger throughput: transfers/s, single and in linked batches of 100, on SQLite and PostgreSQL.

In the same run it measures the database's own ceiling: plain inserts of the same rows, into a
table of the same shape (indexes included), in the same transactions (one per transfer() call),
through the same engine and driver path as the ledger's writes (on PostgreSQL asyncpg directly,
one statement per transaction, like the ledger's path when this process wrote last).
Goal: >= 50% of that ceiling, >= 5,000 transfers/s batched on PostgreSQL.

    /work/venv/bin/python bench/ledger.py [--single N] [--batches N] [--sqlite-only|--pg-only]

PostgreSQL: REMIT_BENCH_DATABASE_URL names the server (default
postgresql+asyncpg://postgres@127.0.0.1:5432/test); the script creates and drops its own database.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
import uuid
from dataclasses import replace
from pathlib import Path

from sqlalchemy import MetaData, insert, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ledger_adapter.chain import GENESIS, chain_hash
from ledger_adapter.pg import TRANSFER_COLUMNS, UNNEST_TRANSFERS
from ledger_adapter.port import Account, AccountFlags, Transfer, TransferSpec
from ledger_adapter.sql import SqlLedger, T, _transfer_row, create_tables

ACCOUNTS = 200
BATCH = 100
DEFAULT_PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


def specs(prefix: str, n: int, start: int) -> list[TransferSpec]:
    """Transfers between wallets (DEBITS_MUST_NOT_EXCEED_CREDITS, funded beforehand)."""
    out = []
    for i in range(start, start + n):
        a, b = i % ACCOUNTS, (i * 7 + 3) % ACCOUNTS
        if a == b:
            b = (b + 1) % ACCOUNTS
        out.append(TransferSpec(f"{prefix}{i}", f"w{a}", f"w{b}", 1 + i % 97, "USD"))
    return out


def plain_rows(batch: list[TransferSpec], seq: int) -> list[dict]:
    """The rows the ledger would write, hashed the same way (hashing is part of the row)."""
    rows, head = [], GENESIS
    for s in batch:
        seq += 1
        t = Transfer(
            s.id,
            "posted",
            s.debit_account,
            s.credit_account,
            s.amount,
            s.asset,
            created_us=time.time_ns() // 1000,
            seq=seq,
        )
        head = chain_hash(head, t)
        rows.append(_transfer_row(replace(t, hash=head)))
    return rows


PLAIN = "bench_plain_transfers"
_PG_PLAIN_INSERT = (
    f"INSERT INTO {PLAIN} ({', '.join(TRANSFER_COLUMNS)}) SELECT * FROM {UNNEST_TRANSFERS}"
)


async def plain_insert(engine: AsyncEngine, plain: object, rows: list[dict]) -> None:
    """The ceiling: the rows inserted in one transaction by the cheapest means the ledger's
    writes have (on PostgreSQL: asyncpg, one INSERT of arrays that is its own transaction,
    as the ledger's one-statement path is; no BEGIN/COMMIT round trips)."""
    if engine.dialect.name != "postgresql":
        async with engine.begin() as conn:
            await conn.execute(insert(plain), rows)
        return
    async with engine.connect() as conn:
        raw = (await conn.get_raw_connection()).driver_connection
        await raw.execute(_PG_PLAIN_INSERT, *[[r[c] for r in rows] for c in TRANSFER_COLUMNS])


async def setup(engine: AsyncEngine) -> tuple[SqlLedger, object]:
    await create_tables(engine)
    md = MetaData()
    plain = T.to_metadata(md, name=PLAIN)
    for ix in list(plain.indexes):
        ix.name = ix.name.replace("ledger_transfers", "bench_plain")
    async with engine.begin() as conn:
        await conn.run_sync(md.create_all)
    ledger = SqlLedger(engine)
    await ledger.create_accounts(
        [Account("bank", "USD")]
        + [
            Account(f"w{i}", "USD", AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS)
            for i in range(ACCOUNTS)
        ]
    )
    await ledger.transfer(
        [TransferSpec(f"fund{i}", "bank", f"w{i}", 10**12, "USD") for i in range(ACCOUNTS)]
    )
    return ledger, plain


async def measure(engine: AsyncEngine, label: str, n_single: int, n_batches: int) -> dict:
    ledger, plain = await setup(engine)
    res: dict[str, float] = {}

    # warm up both paths (connections, statement caches)
    for s in specs("warm", 20, 0):
        await ledger.transfer([s])
    seq = 10**9
    for r in plain_rows(specs("warmp", 20, 0), seq):
        await plain_insert(engine, plain, [r])

    # Ledger and ceiling alternate call by call, so a change in machine load (other processes
    # on this 2-core box, a checkpoint's writes) hits both figures alike; times are summed per
    # mode. The ceiling's rows are built (and hashed) outside its timing.
    spent = {"single": 0.0, "single_ceiling": 0.0, "batch": 0.0, "batch_ceiling": 0.0}
    clock = time.perf_counter
    singles = specs("s", n_single, 0)
    for s, row in zip(singles, plain_rows(specs("ps", n_single, 0), 2 * seq), strict=True):
        t0 = clock()
        await ledger.transfer([s])
        t1 = clock()
        await plain_insert(engine, plain, [row])
        spent["single"] += t1 - t0
        spent["single_ceiling"] += clock() - t1
    for j in range(n_batches):
        batch = specs(f"b{j}-", BATCH, j * BATCH)
        rows = plain_rows(specs(f"pb{j}-", BATCH, 0), 3 * seq + j * BATCH)
        t0 = clock()
        await ledger.transfer(batch)
        t1 = clock()
        await plain_insert(engine, plain, rows)
        spent["batch"] += t1 - t0
        spent["batch_ceiling"] += clock() - t1
    for key, secs in spent.items():
        n = n_single if key.startswith("single") else n_batches * BATCH
        res[key] = n / secs

    findings = await ledger.check()
    print(f"\n{label}: check() -> {len(findings)} findings, load average {os.getloadavg()[0]:.1f}")
    print(f"  {'mode':<22}{'ledger tx/s':>14}{'plain insert/s':>16}{'ratio':>8}")
    for mode, key in (("single (1 per tx)", "single"), (f"linked batch of {BATCH}", "batch")):
        ratio = res[key] / res[f"{key}_ceiling"]
        print(f"  {mode:<22}{res[key]:>14,.0f}{res[key + '_ceiling']:>16,.0f}{ratio:>8.0%}")
    return res


async def run_sqlite(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as d:
        engine = create_async_engine(f"sqlite+aiosqlite:///{d}/bench.db")
        try:
            await measure(
                engine,
                "SQLite (file, default journal, synchronous=FULL)",
                args.single,
                args.batches,
            )
        finally:
            await engine.dispose()


async def run_pg(args: argparse.Namespace) -> None:
    server = os.environ.get("REMIT_BENCH_DATABASE_URL", DEFAULT_PG)
    name = f"remit_bench_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(server, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
        fsync = (await conn.execute(text("SHOW fsync"))).scalar_one()
        sync = (await conn.execute(text("SHOW synchronous_commit"))).scalar_one()
    engine = create_async_engine(make_url(server).set(database=name))
    try:
        await measure(
            engine,
            f"PostgreSQL (fsync={fsync}, synchronous_commit={sync})",
            args.single,
            args.batches,
        )
    finally:
        await engine.dispose()
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--single", type=int, default=2000, help="single transfers per run")
    p.add_argument("--batches", type=int, default=300, help=f"linked batches of {BATCH}")
    p.add_argument("--sqlite-only", action="store_true")
    p.add_argument("--pg-only", action="store_true")
    args = p.parse_args()
    print(
        f"ledger bench: {args.single} single transfers, {args.batches} batches of {BATCH}, "
        f"{ACCOUNTS} wallets, one transaction per call, sequential (1 connection)"
    )
    if not args.pg_only:
        asyncio.run(run_sqlite(args))
    if not args.sqlite_only:
        asyncio.run(run_pg(args))


if __name__ == "__main__":
    main()
