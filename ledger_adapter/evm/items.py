"""Remittances waiting for, or settled by, the chain (`chain_items`): queued in the pipeline's
own transaction, read by the API and the pipeline. No web3 here: every process uses this, only
the settler's process talks to a chain."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from fx.money import Money
from ledger_adapter.evm.tables import ChainCursor, ChainItem, ChainReturn, ChainTx

ITEMS = ChainItem.__table__
TXS = ChainTx.__table__
RETURNS = ChainReturn.__table__
CURSORS = ChainCursor.__table__


def now_us() -> int:
    return time.time_ns() // 1000


async def queue(
    conn: AsyncConnection,
    remittance_id: str,
    coin: str,
    partner_id: str,
    receiver: str,
    amount: int,
) -> None:
    """Queue a remittance for the next settlement window (in the caller's transaction, with
    its state change). Queuing it again is a no-op: one statement either way, since it runs
    inside the batch transaction of the runs a worker commits together."""
    insert = (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(ITEMS)
    await conn.execute(
        insert.values(
            remittance_id=remittance_id,
            coin=coin,
            partner_id=partner_id,
            receiver=receiver,
            amount=amount,
            status="queued",
            queued_us=now_us(),
        ).on_conflict_do_nothing(index_elements=[ITEMS.c.remittance_id])
    )


async def item(conn: AsyncConnection, remittance_id: str) -> Any | None:
    return (await conn.execute(select(ITEMS).where(ITEMS.c.remittance_id == remittance_id))).first()


async def items(conn: AsyncConnection, remittance_ids: list[str]) -> list[Any]:
    """The chain items of these remittances (those queued or settled on the chain)."""
    query = select(ITEMS).where(ITEMS.c.remittance_id.in_(remittance_ids))
    return list((await conn.execute(query)).all())


async def drop(conn: AsyncConnection, remittance_id: str) -> bool:
    """Take a remittance out of the next batch, only while nothing was signed for it."""
    result = await conn.execute(
        update(ITEMS)
        .where(
            ITEMS.c.remittance_id == remittance_id,
            ITEMS.c.status == "queued",
            ITEMS.c.mint_tx.is_(None),
        )
        .values(status="dropped")
    )
    return result.rowcount > 0


async def requeue(conn: AsyncConnection, remittance_id: str) -> None:
    """Put a dropped remittance back in the queue (a transfer held before its coin was signed,
    then approved: it settles on chain like any other)."""
    await conn.execute(
        update(ITEMS)
        .where(
            ITEMS.c.remittance_id == remittance_id,
            ITEMS.c.status == "dropped",
            ITEMS.c.mint_tx.is_(None),
        )
        .values(status="queued", queued_us=now_us())
    )


def settlement_view(row: Any | None) -> dict[str, Any] | None:
    """What the instruction, the API and the receipt say of a remittance's on-chain
    settlement: coin, amount, the partner's address, transaction hash and log index."""
    if row is None or row.status not in ("settled", "returned"):
        return None
    return {
        "coin": row.coin,
        "amount": str(Money.from_minor(row.amount, row.coin)),
        "to": row.receiver,
        "tx_hash": row.settle_tx,
        "log_index": row.log_index,
    }
