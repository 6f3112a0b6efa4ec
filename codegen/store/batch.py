"""Many callers, one statement: what a reconnect storm needs.

After a deploy or a network blip every open stream reconnects at once. Each connect spends a token,
reads the generation's state and replays its events: three statements per stream, each waiting for
one of the pool's connections. With 10,000 streams, a quarter waited past the pool's acquire
timeout and got 503. A ``Batcher`` runs one statement for every caller that arrived while the
previous one ran (group commit), so the storm costs a few statements and one connection at a time.
A lone caller waits for nothing but its own statement.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

K = TypeVar("K")
R = TypeVar("R")

# what one statement may carry: bounds the statement's size and the time its callers wait together
MAX_BATCH = 1000


class Batcher(Generic[K, R]):
    """``await batcher(key)``: the result for ``key`` of ``run(keys)``, run for many keys at once.

    ``run`` answers one result per key, in order. At most one ``run`` is in flight; callers that
    arrive meanwhile form the next batch. An error of ``run`` is every caller's of that batch.
    ``dropped`` receives the results of callers that were cancelled while their batch ran (a result
    that holds something, such as a slot taken, must be given back).
    """

    def __init__(
        self, run: Callable[[list[K]], Awaitable[Sequence[R]]], *,
        dropped: Callable[[R], None] | None = None, max_batch: int = MAX_BATCH,
    ) -> None:
        self._run = run
        self._dropped = dropped
        self._max_batch = max_batch
        self._waiting: list[tuple[K, asyncio.Future[R]]] = []
        self._drainer: asyncio.Task[None] | None = None
        # statements run so far (metrics and tests)
        self.batches = 0

    @property
    def waiting(self) -> int:
        """Callers waiting for the next batch (not those of the batch in flight)."""
        return len(self._waiting)

    async def __call__(self, key: K) -> R:
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._waiting.append((key, future))
        if self._drainer is None:
            self._drainer = asyncio.create_task(self._drain(), name="batcher")
        return await future

    async def _drain(self) -> None:
        try:
            while self._waiting:
                batch = self._waiting[: self._max_batch]
                del self._waiting[: self._max_batch]
                await self._run_batch(batch)
        finally:
            self._drainer = None
            # cancelled (the app stops): nobody may wait for ever on a batch that will not run
            for _key, future in self._waiting:
                future.cancel()
            self._waiting.clear()

    async def _run_batch(self, batch: list[tuple[K, asyncio.Future[R]]]) -> None:
        # callers cancelled before their batch ran are left out
        batch = [(key, future) for key, future in batch if not future.done()]
        if not batch:
            return
        self.batches += 1
        try:
            results = await self._run([key for key, _future in batch])
        except asyncio.CancelledError:
            for _key, future in batch:
                future.cancel()
            raise
        except Exception as exc:  # noqa: BLE001 - handed to every caller of the batch, who raise it
            for _key, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        for (_key, future), result in zip(batch, results, strict=True):
            if not future.done():
                future.set_result(result)
            elif self._dropped is not None:
                self._dropped(result)
