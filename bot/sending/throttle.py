"""Proactive sending within Teams' limits: per-conversation and per-app rate windows, 429 backoff.

Teams allows a bot 7 messages a second in one conversation (8 in 2 s, 60 in 30 s, 1800 an hour)
and 50 requests a second for the app. Waiting for a free slot before each send keeps us under
them, a send counting from when it was answered (see Throttle.slot); a 429 still waits its
Retry-After (or backs off exponentially, with jitter and a cap). A POST whose fate is unknown is
never repeated here: the caller decides.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter, defaultdict, deque
from collections.abc import Awaitable, Callable
from functools import partial
from typing import TypeVar

from bot.sending.errors import Throttled

T = TypeVar("T")

CONVERSATION_WINDOWS = ((7, 1.0), (8, 2.0), (60, 30.0), (1800, 3600.0))
APP_WINDOWS = ((50, 1.0),)


class Windows:
    """Sliding windows of (count, seconds): how long to wait before one more send fits them all."""

    def __init__(self, windows: tuple[tuple[int, float], ...], clock: Callable[[], float] = time.monotonic) -> None:
        self.windows = windows
        self.clock = clock
        self.sent: deque[float] = deque()
        self.longest = max(seconds for _, seconds in windows)

    def wait_needed(self) -> float:
        now = self.clock()
        while self.sent and now - self.sent[0] >= self.longest:
            self.sent.popleft()
        wait = 0.0
        for count, seconds in self.windows:
            # `sent` is in time order, so a window holds its newest sends: it is full when the
            # count-th newest is still inside it, and frees a place when that one leaves.
            if len(self.sent) >= count and now - self.sent[-count] < seconds:
                wait = max(wait, self.sent[-count] + seconds - now)
        return wait

    def record(self) -> float:
        stamp = self.clock()
        self.sent.append(stamp)
        return stamp

    def restamp(self, stamp: float) -> None:
        """Count a send recorded at `stamp` from now instead (now is the latest time, so order holds)."""
        try:
            self.sent.remove(stamp)
        except ValueError:
            return
        self.sent.append(self.clock())


class Throttle:
    def __init__(self, *, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._sleep = sleep
        self._clock = clock
        self._app = Windows(APP_WINDOWS, clock)
        self._conversations: dict[str, Windows] = defaultdict(lambda: Windows(CONVERSATION_WINDOWS, clock))
        self._waiting: Counter[str] = Counter()

    async def slot(self, conversation_id: str) -> Callable[[], None]:
        """Wait until a send to this conversation fits every window, then count it.

        Checking and counting happen with no await between them, so concurrent senders cannot both
        take the last place in a window. Call what it returns once the send is answered: Teams counts
        a request when it arrives, which is some time after the slot, and the send is then counted
        from the answer, by which time Teams has surely counted it. Without that, a send that took
        long to arrive and the next one, sent on time, can land inside one window.
        """
        conversation = conversation_id.split(";", 1)[0]
        windows = self._conversations[conversation]
        self._waiting[conversation] += 1
        try:
            while True:
                wait = max(self._app.wait_needed(), windows.wait_needed(), self._turn_of_others(conversation))
                if wait <= 0:
                    return partial(self._answered, windows, self._app.record(), windows.record())
                await self._sleep(wait)
        finally:
            self._waiting[conversation] -= 1

    def _turn_of_others(self, conversation: str) -> float:
        """While other conversations wait, one that sent within the app's window lets them go first.

        The app's places a second are shared: without this a conversation sending again at once can take
        the place of one whose next send is a moment later, which then waits a whole second more.
        """
        if sum(self._waiting.values()) - self._waiting[conversation] <= 0:
            return 0.0
        sent = self._conversations[conversation].sent
        _, seconds = APP_WINDOWS[0]
        return sent[-1] + seconds - self._clock() if sent else 0.0

    def _answered(self, windows: Windows, app_stamp: float, stamp: float) -> None:
        self._app.restamp(app_stamp)
        windows.restamp(stamp)


async def with_retries(send: Callable[[], Awaitable[T]], *, attempts: int = 5, cap: float = 60.0,
                       sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> T:
    """Repeat a send refused with 429 (or 412/502/503/504 before anything was posted), within bounds."""
    for attempt in range(1, attempts + 1):
        try:
            return await send()
        except Throttled as error:
            if attempt == attempts:
                raise
            backoff = error.retry_after if error.retry_after is not None else 2 ** (attempt - 1)
            await sleep(min(cap, backoff) + random.uniform(0, 0.25))
    raise AssertionError("unreachable")
