"""Group commit for ledger writes: concurrent callers' linked batches share one transaction.

Why: every write holds the chain-head lock from its read to its commit, so writers queue on
it one transaction at a time. Batches that arrive while a transaction runs go together in the
next one, decided one after the other on the state their predecessors left; each keeps its
own all-or-nothing outcome (see `pg.execute_group`), and each caller returns only after the
transaction that holds its batch has committed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

from . import core

Run = Callable[[list[Sequence[core.Op]]], Awaitable[list[core.Plan]]]


class BatchGroup:
    def __init__(self, run: Run, max_ops: int = 2000) -> None:
        self._run = run
        self._max_ops = max_ops
        self._pending: list[tuple[Sequence[core.Op], asyncio.Future[core.Plan]]] = []
        self._flusher: asyncio.Task[None] | None = None

    async def submit(self, ops: Sequence[core.Op]) -> core.Plan:
        done: asyncio.Future[core.Plan] = asyncio.get_running_loop().create_future()
        done.add_done_callback(_retrieve)
        self._pending.append((ops, done))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush_all())
        # Shielded: a cancelled caller's batch is still decided with its group, and a retry
        # of it is an idempotent no-op.
        return await asyncio.shield(done)

    def _take(self) -> list[tuple[Sequence[core.Op], asyncio.Future[core.Plan]]]:
        group, size = [], 0
        while self._pending and (not group or size + len(self._pending[0][0]) <= self._max_ops):
            entry = self._pending.pop(0)
            group.append(entry)
            size += len(entry[0])
        return group

    async def _flush_all(self) -> None:
        while self._pending:
            group = self._take()
            try:
                plans = await self._run([ops for ops, _ in group])
            except Exception as exc:  # the transaction failed: every batch in it did
                for _, done in group:
                    if not done.done():
                        done.set_exception(exc)
            else:
                for (_, done), plan in zip(group, plans, strict=True):
                    if not done.done():
                        done.set_result(plan)


def _retrieve(done: asyncio.Future[core.Plan]) -> None:
    """Mark an outcome seen, so a cancelled caller's failure logs no warning."""
    if not done.cancelled():
        done.exception()
