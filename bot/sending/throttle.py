"""Sending within Teams' limits: per-conversation and per-app rate windows, retries, and the turn's time.

Teams allows a bot 7 messages a second in one conversation (8 in 2 s, 60 in 30 s, 1800 an hour)
and 50 requests a second for the app. Waiting for a free slot before each send keeps proactive
posts under them, a send counting from when it was answered (see Throttle.slot).

Every Bot Connector call is retried (with_retries) when Teams answers 429, 412, 500, 502, 503 or
504: after its Retry-After, else with exponential backoff and jitter, a few times. A POST answered
with a 5xx may have been posted, so its retry may repeat it: a repeat is better than a lost reply
or reminder. A POST that got no answer at all is not repeated here: the caller decides.

Teams delivers an activity again when the bot has not answered it within 15 s. Inside a turn
(turn_budget) every call and every wait ends within TURN_SECONDS of its start, so a failing or
hung Bot Connector makes the turn fail in time, and the redelivery is handled as a new attempt.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import random
import time
from collections import Counter, defaultdict, deque
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

from bot.sending.errors import RETRYABLE, DeliveryError, DeliveryUncertain, Throttled

log = logging.getLogger(__name__)

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
        self._expected: Counter[str] = Counter()

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
                    self._arrived(conversation)
                    return partial(self._answered, windows, self._app.record(), windows.record())
                await self._sleep(wait)
        finally:
            self._waiting[conversation] -= 1

    @contextmanager
    def expecting(self, conversation_id: str) -> Iterator[None]:
        """A conversation about to send (its first send being prepared) counts as waiting until its first slot: one
        that sent within the app's window lets it go first, as if it had asked already. Without this, posting into
        50 channels at once, a channel whose first send took longer to prepare (its reads queued for a database
        connection) found the second's places taken by the others' second sends, and ended a second after them."""
        conversation = conversation_id.split(";", 1)[0]
        self._expected[conversation] += 1
        self._waiting[conversation] += 1
        try:
            yield
        finally:
            self._arrived(conversation)

    def _arrived(self, conversation: str) -> None:
        if self._expected[conversation] > 0:
            self._expected[conversation] -= 1
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


@dataclass(frozen=True)
class Patience:
    """How long the bot waits on the Bot Connector: per call, between attempts, and how many attempts."""

    attempts: int
    first_wait: float  # the backoff after the first refusal without a Retry-After; doubled each time
    longest_wait: float  # no backoff is longer, and a longer Retry-After is not waited for
    call_seconds: float  # one call, from connecting to the whole answer


# Teams delivers again after 15 s; 3 s are left for the database and the network between Teams and us.
TURN_SECONDS = 12.0
# In a turn the user is waiting: 4 attempts, backoff 0.5, 1, 2 s, each call at most 5 s (the Bot
# Connector answers in well under a second when it is well), and all of it inside the turn's 12 s.
IN_TURN = Patience(attempts=4, first_wait=0.5, longest_wait=4.0, call_seconds=5.0)
# Outside a turn (the daily reminders, an admin's broadcast) nobody waits on the answer: 5 attempts,
# backoff 1, 2, 4, 8 s, a Retry-After honoured up to a minute, each call at most 15 s.
PROACTIVE = Patience(attempts=5, first_wait=1.0, longest_wait=60.0, call_seconds=15.0)
SHORTEST_CALL = 0.5  # a call is not started, nor a retry waited for, with less of the turn left than this
JITTER = 0.25  # at most this much is added to a Retry-After, so that senders told the same do not return together

_deadline: ContextVar[float | None] = ContextVar("turn_deadline", default=None)
_retrying: ContextVar[bool] = ContextVar("retrying", default=False)


class OutOfTime(DeliveryError):
    """The turn's time is spent: nothing was sent."""


@contextmanager
def turn_budget(seconds: float = TURN_SECONDS) -> Iterator[None]:
    """Every Bot Connector call made inside (replies, updates, proactive sends) ends within `seconds`."""
    token = _deadline.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _deadline.reset(token)


def call_timeout() -> float:
    """Seconds the next Bot Connector call may take; OutOfTime when the turn has too little left."""
    deadline = _deadline.get()
    if deadline is None:
        return PROACTIVE.call_seconds
    left = deadline - time.monotonic()
    if left < SHORTEST_CALL:
        raise OutOfTime(f"the turn's {TURN_SECONDS:.0f} s are spent")
    return min(IN_TURN.call_seconds, left)


def teams_faltered(error: Exception) -> bool:
    """Refused retryably, unanswered or out of time: worth Teams delivering the activity again."""
    return isinstance(error, Throttled | DeliveryUncertain | OutOfTime)


def retryable(error: DeliveryError) -> bool:
    """429 and the like (Throttled), or a 5xx answer to a POST; not a POST that got no answer."""
    return isinstance(error, Throttled) or (isinstance(error, DeliveryUncertain) and error.status in RETRYABLE)


def wait_before_retry(error: DeliveryError, attempt: int, patience: Patience) -> float | None:
    """How long to wait before the next attempt after `attempt` failed with `error`; None to give up."""
    if attempt >= patience.attempts or not retryable(error):
        return None
    retry_after = getattr(error, "retry_after", None)
    if retry_after is not None:
        return retry_after + random.uniform(0, JITTER) if retry_after <= patience.longest_wait else None
    backoff = min(patience.longest_wait, patience.first_wait * 2 ** (attempt - 1))
    return random.uniform(backoff / 2, backoff)


async def with_retries(send: Callable[[], Awaitable[T]], *,
                       sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> T:
    """`send` again while Teams refuses it retryably, within Patience and the turn's time.

    Inside another with_retries (a reminder's post, retried as a whole) `send` runs once: the
    outermost decides, so attempts do not multiply.
    """
    if _retrying.get():
        return await send()
    deadline = _deadline.get()
    patience = PROACTIVE if deadline is None else IN_TURN
    token = _retrying.set(True)
    try:
        for attempt in itertools.count(1):
            try:
                return await send()
            except DeliveryError as error:
                wait = wait_before_retry(error, attempt, patience)
                if wait is None or (deadline is not None and time.monotonic() + wait + SHORTEST_CALL > deadline):
                    raise
                log.info("the Bot Connector answered %s: attempt %d of %d in %.1f s", error.status or "nothing",
                         attempt + 1, patience.attempts, wait)
                await sleep(wait)
    finally:
        _retrying.reset(token)
    raise AssertionError("unreachable")
