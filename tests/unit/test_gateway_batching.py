"""The batcher: callers in the same loop turn share one batch, and a failure stays with its
callers (the statements a batch becomes: tests/integration/test_gateway_batching_sql.py)."""

from __future__ import annotations

import asyncio

from gateway.batching import Batcher


class Recorder:
    """A batch function that records its batches and answers each item with its double."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.release = asyncio.Event()
        self.release.set()

    async def __call__(self, items: list[int]) -> list[int | BaseException]:
        self.batches.append(list(items))
        await self.release.wait()
        return [ValueError(f"odd {i}") if i % 2 else i * 2 for i in items]


async def test_callers_in_the_same_loop_turn_share_one_batch() -> None:
    run = Recorder()
    batcher: Batcher[int, int] = Batcher(run)
    results = await asyncio.gather(*(batcher(i) for i in (2, 4, 6)))
    assert results == [4, 8, 12]
    assert run.batches == [[2, 4, 6]]


async def test_an_item_that_fails_fails_only_its_own_caller() -> None:
    batcher: Batcher[int, int] = Batcher(Recorder())
    results = await asyncio.gather(batcher(2), batcher(3), batcher(4), return_exceptions=True)
    assert results[0] == 4 and results[2] == 8
    assert isinstance(results[1], ValueError) and str(results[1]) == "odd 3"


async def test_a_failed_batch_fails_every_caller_in_it() -> None:
    async def broken(items: list[int]) -> list[int]:
        raise ConnectionError("database gone")

    batcher: Batcher[int, int] = Batcher(broken)
    results = await asyncio.gather(batcher(2), batcher(4), return_exceptions=True)
    assert all(isinstance(r, ConnectionError) for r in results)


async def test_callers_arriving_during_a_batch_go_together_in_the_next() -> None:
    run = Recorder()
    run.release.clear()
    batcher: Batcher[int, int] = Batcher(run, max_batch=2)
    first = asyncio.gather(batcher(2), batcher(4), batcher(6))  # 6 waits: max_batch
    while not run.batches:
        await asyncio.sleep(0)
    later = asyncio.gather(batcher(8), batcher(10))
    await asyncio.sleep(0)
    run.release.set()
    assert await first == [4, 8, 12]
    assert await later == [16, 20]
    assert run.batches == [[2, 4], [6, 8], [10]]
