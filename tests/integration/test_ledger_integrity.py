"""check() detects tampering: edited rows, a rewritten chain, a cut tail, drifted balances."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from ledger_adapter.chain import GENESIS, chain_hash
from ledger_adapter.port import Account, AccountFlags, TransferSpec
from ledger_adapter.sql import A, N, SqlLedger, T, _row_to_transfer, create_tables

KEY = b"secret-anchor-key"


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(database_url)
    await create_tables(engine)
    ledger = SqlLedger(engine, hmac_key=KEY)
    await ledger.create_accounts(
        [Account("bank", "USD"), Account("w", "USD", AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS)]
    )
    for i in range(5):
        await ledger.transfer([TransferSpec(f"t{i}", "bank", "w", 100 + i, "USD")])
    assert await ledger.check() == []
    try:
        yield engine
    finally:
        await engine.dispose()


async def _shift(engine: AsyncEngine, seq: int, by: int) -> None:
    """Change one row's amount and the balances with it (so only the chain can tell)."""
    async with engine.begin() as conn:
        await conn.execute(update(T).where(T.c.seq == seq).values(amount=T.c.amount + by))
        await conn.execute(
            update(A).where(A.c.id == "bank").values(debits_posted=A.c.debits_posted + by)
        )
        await conn.execute(
            update(A).where(A.c.id == "w").values(credits_posted=A.c.credits_posted + by)
        )


async def test_edited_row_breaks_chain(engine: AsyncEngine) -> None:
    await _shift(engine, 3, 1)
    findings = await SqlLedger(engine, hmac_key=KEY).check()
    assert any("chain broken at seq 3" in f for f in findings), findings


async def test_rewritten_chain_fails_anchor(engine: AsyncEngine) -> None:
    await _shift(engine, 2, 7)
    async with engine.begin() as conn:
        rows = [_row_to_transfer(r) for r in await conn.execute(select(T).order_by(T.c.seq))]
        head = GENESIS
        for t in rows:
            head = chain_hash(head, replace(t, hash=""))
            await conn.execute(update(T).where(T.c.seq == t.seq).values(hash=head))
        await conn.execute(update(N).values(hash=head))
    findings = await SqlLedger(engine, hmac_key=KEY).check()
    assert findings == ["anchor at seq 5: bad HMAC"]
    # without the key the forgery is consistent: this is what the key is for
    assert await SqlLedger(engine).check() == []


async def test_cut_tail_detected(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(delete(T).where(T.c.seq == 5))
        await conn.execute(
            update(A).where(A.c.id == "bank").values(debits_posted=A.c.debits_posted - 104)
        )
        await conn.execute(
            update(A).where(A.c.id == "w").values(credits_posted=A.c.credits_posted - 104)
        )
    findings = await SqlLedger(engine, hmac_key=KEY).check()
    assert findings == ["anchor names seq 5, journal ends at seq 4"]
    async with engine.begin() as conn:
        h = (await conn.execute(select(T.c.hash).where(T.c.seq == 4))).scalar_one()
        await conn.execute(update(N).values(seq=4, hash=h))
    assert await SqlLedger(engine, hmac_key=KEY).check() == ["anchor at seq 4: bad HMAC"]


async def test_drifted_balance_detected(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            update(A).where(A.c.id == "w").values(credits_posted=A.c.credits_posted + 1)
        )
    findings = await SqlLedger(engine, hmac_key=KEY).check()
    assert any(f.startswith("w: balance") for f in findings), findings
    assert any("USD: posted debits" in f for f in findings), findings
