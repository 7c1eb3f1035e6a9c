"""Set-based work from one-at-a-time callers: requests made while the event loop is busy go
to the database together.

Why: a pipeline step costs little next to its round trips (on a 2-core machine a statement's
socket write, driver and SQLAlchemy work cost more than the step's own logic), and the
remittances a worker advances run in lockstep (a batch's commit releases them all in one loop
turn), so their next reads and writes arrive together. One statement serves all of them; each
caller still awaits only its own result, so step code stays written for one remittance.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

K = TypeVar("K")
R = TypeVar("R")

#: Runs a batch; one result per item, in order. An exception instance in the list is raised
#: to that item's caller only; an exception raised by `run` reaches every caller in the batch.
RunBatch = Callable[[list[K]], Awaitable[Sequence[R | BaseException]]]


class Batcher(Generic[K, R]):
    def __init__(self, run: RunBatch, max_batch: int = 256) -> None:
        self._run = run
        self._max_batch = max_batch
        self._pending: list[tuple[K, asyncio.Future[R]]] = []
        self._flusher: asyncio.Task[None] | None = None

    async def __call__(self, item: K) -> R:
        done: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._pending.append((item, done))
        if self._flusher is None or self._flusher.done():
            # A task starts after the callbacks already ready in this loop turn: the callers
            # those callbacks resume join this batch.
            self._flusher = asyncio.create_task(self._flush_all())
        # Shielded: a cancelled caller's item is still decided with its batch.
        return await asyncio.shield(done)

    async def _flush_all(self) -> None:
        while self._pending:
            batch = self._pending[: self._max_batch]
            del self._pending[: len(batch)]
            try:
                results = await self._run([item for item, _ in batch])
            except Exception as exc:
                for _, done in batch:
                    _settle(done, exc)
            else:
                for (_, done), result in zip(batch, results, strict=True):
                    _settle(done, result)

    async def aclose(self) -> None:
        """Wait for the batches already submitted."""
        if self._flusher is not None:
            await asyncio.gather(self._flusher, return_exceptions=True)


def _settle(done: asyncio.Future, result: object) -> None:
    if done.done():
        return
    if isinstance(result, BaseException):
        done.set_exception(result)
        done.add_done_callback(_retrieve)
    else:
        done.set_result(result)


def _retrieve(done: asyncio.Future) -> None:
    """Mark a failure seen, so a cancelled caller's exception logs no warning."""
    if not done.cancelled():
        done.exception()
