"""When to stop trying a channel in a run of a daily job, so that a run ends in bounded time when Teams cannot be
reached: each POST is already retried (with_retries, about 15 s of backoff); after PER_CHANNEL failures in a row in
one channel the run stops posting there, and after EVERYWHERE failures in a row with nothing posted in between
(whatever the channels) it stops posting at all: a run that posts one card after another then ends within about
EVERYWHERE x 15 s, one that posts to many channels at once (the reminders, 50 channels at a time) within one post's
retries. A channel the app was removed from (403/404: ConversationGone, the channel marked dead; or no channel set)
is not counted: that is not Teams failing, and however many channels refuse so, the others are still posted to
(tests/scenario/test_reach_when_the_app_is_removed.py). What it does not post is recorded as not posted on its claim, in
the run's report and `cme-bot check`, and the next run posts it.
"""

from __future__ import annotations

from collections import Counter

PER_CHANNEL = 3
EVERYWHERE = 10


class Reach:
    def __init__(self, per_channel: int = PER_CHANNEL, everywhere: int = EVERYWHERE) -> None:
        self.per_channel = per_channel
        self.everywhere = everywhere
        self._failed: Counter[str] = Counter()
        self._in_a_row = 0
        self.given_up: set[str] = set()

    def gave_up(self, channel_id: str | None) -> str | None:
        """Why this run posts nothing more into the channel, or None while it still tries."""
        if self._in_a_row >= self.everywhere:
            return f"gave up after {self._in_a_row} failed posts in a row in this run: Teams cannot be reached"
        if channel_id is not None and self._failed[channel_id] >= self.per_channel:
            return f"gave up on this channel after {self._failed[channel_id]} failed posts in a row in this run"
        return None

    def failed(self, channel_id: str | None) -> None:
        self._in_a_row += 1
        if channel_id is not None:
            self._failed[channel_id] += 1
            if self._failed[channel_id] >= self.per_channel:
                self.given_up.add(channel_id)

    def posted(self, channel_id: str | None) -> None:
        self._in_a_row = 0
        if channel_id is not None:
            self._failed.pop(channel_id, None)
