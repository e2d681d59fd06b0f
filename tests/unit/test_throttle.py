"""The throttle of proactive sends: Teams' windows, and the app's places a second shared between channels."""

from __future__ import annotations

import asyncio
import heapq
import itertools

import pytest

from bot.sending.throttle import Throttle

A, B = "19:a@thread.tacv2", "19:b@thread.tacv2"


class Clock:
    """A clock that moves only when told to, or in `run` to the earliest wake-up a sleeper asked for."""

    def __init__(self) -> None:
        self.now = 0.0
        self._wakeups: list[tuple[float, int, asyncio.Future]] = []
        self._asked = itertools.count()  # of two wake-ups at one time, the one asked for first comes first

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        wakeup = asyncio.get_running_loop().create_future()
        heapq.heappush(self._wakeups, (self.now + seconds, next(self._asked), wakeup))
        await wakeup

    async def run(self, *tasks: asyncio.Task) -> None:
        """Until the tasks end: once each is asleep or done, the clock jumps to the earliest wake-up."""
        while not all(task.done() for task in tasks):
            for _ in range(10):  # every task runs on until it sleeps again
                await asyncio.sleep(0)
            if self._wakeups:
                when, _, wakeup = heapq.heappop(self._wakeups)
                self.now = max(self.now, when)
                wakeup.set_result(None)
        await asyncio.gather(*tasks)


async def test_a_channel_alone_may_send_seven_in_a_second():
    clock = Clock()
    throttle = Throttle(sleep=clock.sleep, clock=clock)
    for _ in range(7):
        (await throttle.slot(A))()
    assert clock.now == 0.0

    async def eighth() -> None:
        (await throttle.slot(A))()

    await clock.run(asyncio.create_task(eighth()))
    assert clock.now == pytest.approx(1.0), "the 8th waits for the first to leave the 1 s window"


async def test_a_channel_that_just_sent_lets_a_waiting_channel_go_first():
    """The app's 50 places a second are full; a, which sent a moment ago, asks before b."""
    clock = Clock()
    throttle = Throttle(sleep=clock.sleep, clock=clock)
    for n in range(49):
        (await throttle.slot(f"19:other-{n}@thread.tacv2"))()  # 49 other channels' sends at 0 s
    clock.now = 0.3
    (await throttle.slot(A))()  # the 50th place, at 0.3 s
    order: list[tuple[str, float]] = []

    async def send(channel: str) -> None:
        done = await throttle.slot(channel)
        order.append((channel, clock.now))
        done()

    a = asyncio.create_task(send(A))
    await asyncio.sleep(0)  # a asks at 0.3 s, and waits for a place
    clock.now = 0.35
    b = asyncio.create_task(send(B))
    await clock.run(a, b)
    assert [channel for channel, _ in order] == [B, A]
    assert order[0][1] == pytest.approx(1.0), "b takes the first place freed, at 1 s"
    assert order[1][1] == pytest.approx(1.3), "a waits until its own send is a second old"
