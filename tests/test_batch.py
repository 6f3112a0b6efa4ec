"""store/batch.py: callers that arrive while a statement runs share the next one."""

from __future__ import annotations

import asyncio

import pytest

from codegen.store.batch import Batcher


class Recorded:
    """A batch function that records each batch and can be held until the test releases it."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.release = asyncio.Event()
        self.release.set()
        self.error: Exception | None = None

    async def __call__(self, keys: list[int]) -> list[int]:
        self.batches.append(keys)
        await self.release.wait()
        if self.error is not None:
            raise self.error
        return [key * 10 for key in keys]


async def until(predicate) -> None:
    async with asyncio.timeout(5):
        while not predicate():
            await asyncio.sleep(0)


async def test_a_lone_caller_gets_its_result_from_a_batch_of_one():
    run = Recorded()
    batcher = Batcher(run)
    assert await batcher(7) == 70
    assert run.batches == [[7]] and batcher.batches == 1


async def test_callers_arriving_while_a_batch_runs_share_the_next_one_in_order():
    run = Recorded()
    run.release.clear()
    batcher = Batcher(run)
    first = asyncio.create_task(batcher(1))
    await until(lambda: run.batches)
    rest = [asyncio.create_task(batcher(key)) for key in range(2, 8)]
    await until(lambda: batcher.waiting == 6)
    run.release.set()
    assert await first == 10
    assert await asyncio.gather(*rest) == [20, 30, 40, 50, 60, 70]
    assert run.batches == [[1], [2, 3, 4, 5, 6, 7]]


async def test_a_batch_carries_at_most_max_batch_callers():
    run = Recorded()
    run.release.clear()
    batcher = Batcher(run, max_batch=3)
    held = asyncio.create_task(batcher(0))
    await until(lambda: run.batches)
    rest = [asyncio.create_task(batcher(key)) for key in range(1, 8)]
    await until(lambda: batcher.waiting == 7)
    run.release.set()
    assert await asyncio.gather(held, *rest) == [key * 10 for key in range(8)]
    assert run.batches == [[0], [1, 2, 3], [4, 5, 6], [7]]


async def test_an_error_reaches_every_caller_of_its_batch_and_the_next_batch_runs():
    run = Recorded()
    run.release.clear()
    batcher = Batcher(run)
    first = asyncio.create_task(batcher(1))
    await until(lambda: run.batches)
    second = [asyncio.create_task(batcher(key)) for key in (2, 3)]
    await until(lambda: batcher.waiting == 2)
    run.error = RuntimeError("the database went away")
    run.release.set()
    for task in [first, *second]:
        with pytest.raises(RuntimeError, match="went away"):
            await task
    run.error = None
    assert await batcher(4) == 40


async def test_a_caller_cancelled_before_its_batch_is_left_out():
    run = Recorded()
    run.release.clear()
    batcher = Batcher(run)
    first = asyncio.create_task(batcher(1))
    await until(lambda: run.batches)
    gone, kept = asyncio.create_task(batcher(2)), asyncio.create_task(batcher(3))
    await until(lambda: batcher.waiting == 2)
    gone.cancel()
    run.release.set()
    assert await first == 10 and await kept == 30
    assert run.batches == [[1], [3]]


async def test_a_result_whose_caller_was_cancelled_meanwhile_is_handed_to_dropped():
    run = Recorded()
    run.release.clear()
    dropped: list[int] = []
    batcher = Batcher(run, dropped=dropped.append)
    gone, kept = asyncio.create_task(batcher(1)), asyncio.create_task(batcher(2))
    await until(lambda: run.batches)
    gone.cancel()
    run.release.set()
    assert await kept == 20
    assert dropped == [10]
    with pytest.raises(asyncio.CancelledError):
        await gone
