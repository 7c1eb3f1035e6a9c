"""Group commit: concurrent requests that each need one durable row (a firm quote) share one
transaction and one disk flush. Idle, a row is written at once; under load, the rows that
arrive while a flush is running go together in the next one. Each caller returns only after
its row is committed, so durability per request is unchanged."""

from __future__ import annotations

import asyncio
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine


class GroupInserter:
    def __init__(self, engine: AsyncEngine, table: sa.Table, max_batch: int = 500) -> None:
        self._engine = engine
        self._table = table
        self._max_batch = max_batch
        self._pending: list[tuple[dict[str, Any], asyncio.Future[None]]] = []
        self._flusher: asyncio.Task[None] | None = None

    async def insert(self, values: dict[str, Any]) -> None:
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((values, done))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush_all())
        await asyncio.shield(done)

    async def _flush_all(self) -> None:
        while self._pending:
            batch = self._pending[: self._max_batch]
            del self._pending[: len(batch)]
            try:
                async with self._engine.begin() as conn:
                    await conn.execute(self._table.insert(), [values for values, _ in batch])
            except Exception as exc:  # every caller in the batch learns it failed
                for _, done in batch:
                    if not done.done():
                        done.set_exception(exc)
            else:
                for _, done in batch:
                    if not done.done():
                        done.set_result(None)
