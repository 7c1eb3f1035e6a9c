"""Reading the durable events forward, for a consumer that pushes them on (the bots'
notifier): a batch past the consumer's cursor, then the cursor moved past what was handled
(gateway.events). A crash between the two re-reads the batch: delivery is at-least-once."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from gateway import events
from ledger_adapter.sessions import reading


async def history_after(engine: AsyncEngine, consumer: str, limit: int) -> Sequence[Any]:
    """Remittance history rows past the consumer's cursor, oldest first."""
    async with reading(engine) as conn:
        return await events.read_after(conn, consumer, limit)


async def kyc_after(engine: AsyncEngine, consumer: str, limit: int) -> Sequence[Any]:
    """KYC events past the consumer's cursor, oldest first."""
    async with reading(engine) as conn:
        return await events.read_kyc_after(conn, consumer, limit)


async def handled(engine: AsyncEngine, consumer: str, last_id: int) -> None:
    """The consumer is done up to `last_id`: the next read starts after it."""
    async with engine.begin() as conn:
        await events.save_cursor(conn, consumer, last_id)
