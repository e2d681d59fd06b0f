"""The throttle of proactive sends: Teams' windows, and the app's places a second shared between channels;
retries of what Teams refuses, within the turn's time."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from bot.sending.errors import DeliveryUncertain, Throttled
from bot.sending.throttle import (
    IN_TURN,
    PROACTIVE,
    TURN_SECONDS,
    OutOfTime,
    Throttle,
    call_timeout,
    turn_budget,
    with_retries,
)
from bot.teams.refusals import retry_after

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


async def test_a_channel_still_preparing_its_first_send_is_not_overtaken_by_anothers_second():
    """Fifty channels post at once; one is still reading what its first post needs when the others ask again."""
    clock = Clock()
    throttle = Throttle(sleep=clock.sleep, clock=clock)
    others = [f"19:other-{n}@thread.tacv2" for n in range(49)]
    order: list[tuple[str, float]] = []

    async def send(channel: str) -> None:
        done = await throttle.slot(channel)
        order.append((channel, clock.now))
        done()

    with throttle.expecting(B):
        for channel in others:
            with throttle.expecting(channel):
                await send(channel)
        a_second = asyncio.create_task(send(others[0]))  # its first went at 0 s: 49 of the app's 50 places taken
        await asyncio.sleep(0)
        clock.now = 0.2
        b_first = asyncio.create_task(send(B))  # ready at last, 0.2 s in: the 50th place is still there
        await clock.run(a_second, b_first)
    assert order[-2:] == [(B, pytest.approx(0.2)), (others[0], pytest.approx(1.0))]


class Refusing:
    """A send Teams refuses `times` times with `error`, then takes."""

    def __init__(self, error: Exception, times: int = 99) -> None:
        self.error, self.left, self.calls = error, times, 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.left > 0:
            self.left -= 1
            raise self.error
        return "posted"


async def test_outside_a_turn_a_refused_send_is_tried_five_times_with_growing_jittered_waits():
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    send = Refusing(Throttled("429", 429, None))
    with pytest.raises(Throttled):
        await with_retries(send, sleep=sleep)
    assert send.calls == PROACTIVE.attempts == 5
    for wait, backoff in zip(slept, (1, 2, 4, 8), strict=True):
        assert backoff / 2 <= wait <= backoff


async def test_a_5xx_to_a_post_is_retried_but_a_post_with_no_answer_is_not():
    async def sleep(seconds: float) -> None:
        pass

    answered = Refusing(DeliveryUncertain("500", 500), times=2)
    assert await with_retries(answered, sleep=sleep) == "posted" and answered.calls == 3
    unanswered = Refusing(DeliveryUncertain("no answer from the Bot Connector: TimeoutError"), times=1)
    with pytest.raises(DeliveryUncertain):
        await with_retries(unanswered, sleep=sleep)
    assert unanswered.calls == 1


async def test_in_a_turn_no_wait_goes_past_the_turns_time():
    async def sleep(seconds: float) -> None:
        raise AssertionError(f"waited {seconds} s")

    with turn_budget():
        send = Refusing(Throttled("429", 429, TURN_SECONDS))  # Retry-After: as long as the whole turn
        with pytest.raises(Throttled):
            await with_retries(send, sleep=sleep)
        assert send.calls == 1
        assert call_timeout() == IN_TURN.call_seconds
    with turn_budget(0.1), pytest.raises(OutOfTime):
        call_timeout()


async def test_retries_inside_retries_do_not_multiply():
    async def sleep(seconds: float) -> None:
        pass

    inner = Refusing(Throttled("503", 503, 0.0))
    with pytest.raises(Throttled):
        await with_retries(lambda: with_retries(inner, sleep=sleep), sleep=sleep)
    assert inner.calls == PROACTIVE.attempts


def test_retry_after_in_seconds_or_as_an_http_date():
    assert retry_after({"Retry-After": "3"}) == 3.0
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert 28 <= retry_after({"Retry-After": later}) <= 30
    assert retry_after({"Retry-After": "Tue, 01 Jan 2019 00:00:00 GMT"}) == 0.0
    assert retry_after({"Retry-After": "soon"}) is None and retry_after({}) is None
