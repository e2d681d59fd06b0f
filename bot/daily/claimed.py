"""Posting what a run of a daily job claimed once per key and day (the overdue digest, the term dates warning, the
COPP panel's digest and packs, ...): the claim marked attempted before the POST (a run killed during it leaves it
uncertain, posted again by the next run marked as a possible repeat), then recorded as posted or not posted.

The claiming itself (`store.reminders.claim_digest`) stays with the caller, which builds what it posts from the claim.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from bot.daily.reach import Reach
from bot.sending.channels import ChannelUnavailable
from bot.sending.errors import ConversationGone, DeliveryError, DeliveryUncertain
from bot.sending.throttle import with_retries
from bot.turn import Posted
from storage.reminders import DigestTaken
from storage.store import Store


class Outcomes(Protocol):
    """What a run reports (RunReport, CoppReport): the lines it could not post, and those that may have been."""

    not_posted: list[str]
    uncertain: list[str]


async def post_claimed(store: Store, taken: DigestTaken, label: str, post: Callable[[], Awaitable[Posted]],
                       report: Outcomes, *,
                       slot: Callable[[], Awaitable[Callable[[], None]]] | None = None, reach: Reach | None = None,
                       channel_id: str | None = None) -> Posted | None:
    """Post (with retries, within `slot`'s pacing when given) and record it on the claim: what Teams answered, or
    None when nothing was posted (`report.not_posted`: the next run tries again) or it may have been
    (`report.uncertain`: the next run posts it again, marked as a possible repeat).

    With `reach`, nothing is posted into a channel (or anywhere) the run has given up on: recorded as not posted."""
    if reach is not None and (why := reach.gave_up(channel_id)):
        await store.reminders.digest_done(taken.id, None, f"not posted: {why}")
        report.not_posted.append(f"{label}: {why}")
        return None
    answered = await slot() if slot else None
    await store.reminders.digest_attempt(taken.id)
    try:
        posted = await with_retries(post)
    except DeliveryUncertain as error:
        _failed(reach, channel_id)
        report.uncertain.append(f"{label} ({error})")
        return None
    except DeliveryError as error:
        if not isinstance(error, ConversationGone | ChannelUnavailable):  # one channel's trouble, not Teams'
            _failed(reach, channel_id)
        await store.reminders.digest_done(taken.id, None, f"not posted: {error}")
        report.not_posted.append(f"{label}: {error}")
        return None
    finally:
        if answered:
            answered()
    if reach is not None:
        reach.posted(channel_id)
    await store.reminders.digest_done(taken.id, posted.activity_id)
    return posted


def _failed(reach: Reach | None, channel_id: str | None) -> None:
    if reach is not None:
        reach.failed(channel_id)
