"""A connection pool that hands connections out in the order they were asked for.

SQLAlchemy's asyncio pool takes a returned connection for whoever asks next, even while others
wait: a waiter woken for it finds it gone and queues again at the back. Under load some messages
waited seconds (p99 2 s with one SQLite connection and 20 users) while most took milliseconds.
"""

from __future__ import annotations

import asyncio

from sqlalchemy.pool import AsyncAdaptedQueuePool
from sqlalchemy.util import await_
from sqlalchemy.util.queue import AsyncAdaptedQueue, Empty


class FairQueue(AsyncAdaptedQueue):
    def get(self, block: bool = True, timeout: float | None = None):
        turns = self.__dict__.get("_turns")
        if not block or ((turns is None or not turns.locked()) and not self._queue.empty()):
            return self.get_nowait()  # nobody waits: take it now
        return await_(self._in_turn(timeout))

    def waiting(self) -> bool:
        """Someone waits for a connection (and gets the next one returned)."""
        turns = self.__dict__.get("_turns")
        return turns is not None and turns.locked()

    async def _in_turn(self, timeout: float | None):
        if "_turns" not in self.__dict__:
            self._turns = asyncio.Lock()  # first used on the running loop, like the queue itself
        try:
            async with asyncio.timeout(timeout):
                async with self._turns:  # FIFO: a newcomer never passes someone already waiting
                    return await self._queue.get()
        except TimeoutError as error:
            raise Empty() from error


class FairPool(AsyncAdaptedQueuePool):
    _queue_class = FairQueue
