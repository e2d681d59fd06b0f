"""The throttle of proactive sends: Teams' windows, and the app's places a second shared between channels."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.sending.throttle import Throttle


class Clock:
    """A clock that moves only when someone sleeps on it."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


async def test_a_channel_alone_may_send_seven_in_a_second():
    clock = Clock()
    throttle = Throttle(sleep=clock.sleep, clock=clock)
    for _ in range(7):
        (await throttle.slot("19:a@thread.tacv2"))()
    assert clock.now == 0.0
    (await throttle.slot("19:a@thread.tacv2"))()
    assert clock.now == pytest.approx(1.0), "the 8th waits for the first to leave the 1 s window"


async def test_a_channel_that_just_sent_lets_a_waiting_channel_go_first():
    """Real time (1.3 s): the app's 50 places a second are full; a, which sent a moment ago, asks before b."""
    throttle = Throttle()
    begun = time.monotonic()
    for _ in range(49):
        throttle._app.record()  # 49 other channels' sends at 0 s
    await asyncio.sleep(0.3)
    (await throttle.slot("19:a@thread.tacv2"))()  # the 50th place, at 0.3 s
    order: list[tuple[str, float]] = []

    async def send(channel: str) -> None:
        done = await throttle.slot(channel)
        order.append((channel, time.monotonic() - begun))
        done()

    a = asyncio.create_task(send("19:a@thread.tacv2"))
    await asyncio.sleep(0.05)
    b = asyncio.create_task(send("19:b@thread.tacv2"))
    await asyncio.gather(a, b)
    assert [channel for channel, _ in order] == ["19:b@thread.tacv2", "19:a@thread.tacv2"]
    assert order[0][1] == pytest.approx(1.0, abs=0.1), "b takes the first place freed, at 1 s"
    assert order[1][1] == pytest.approx(1.3, abs=0.1), "a waits until its own send is a second old"
