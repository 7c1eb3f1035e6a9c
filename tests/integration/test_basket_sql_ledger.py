"""The basket coin on the SQL ledger: one minor unit of a component's reserve changed behind the
ledger's back is a finding of its check (the money math as properties:
tests/unit/test_basket.py)."""

from __future__ import annotations

from hypothesis import strategies as st
from sqlalchemy import update

from ledger_adapter import chart
from ledger_adapter.sql import A, SqlLedger, create_tables
from tests.unit.test_basket import _accounts

units = st.integers(min_value=1, max_value=10**13)
SENDER, PARTNER, CUR = "c1", "p1", "SGD"


async def test_sql_ledger_check_finds_a_reserve_changed_behind_its_back(database_url) -> None:
    """On the SQL engine too: supply = reserve is checked from the stored balances."""
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(database_url)
    try:
        await create_tables(engine)
        ledger = SqlLedger(engine)
        await ledger.create_accounts(_accounts())
        await ledger.transfer(chart.basket_mint("m", "BSKT", 95_827_383, 100_000_000))
        assert await ledger.check() == []
        async with engine.begin() as conn:
            await conn.execute(
                update(A)
                .where(A.c.id == "reserve:BSKT:JPY")
                .values(credits_posted=A.c.credits_posted - 1)
            )
        findings = await SqlLedger(engine).check()
        assert (
            "BSKT: supply 100000000 needs 2200 JPY in reserve, reserve:BSKT:JPY holds 2199"
            in findings
        ), findings
    finally:
        await engine.dispose()
