"""Posting into a school's CME team channel, or its local authority's (and for cases with no school)."""

from __future__ import annotations

from dataclasses import replace

from bot.privacy import CHANNEL, check
from bot.sending.errors import DeliveryError
from bot.sending.shown import shown
from bot.sending.stored_conversations import post_or_mark_dead
from bot.services import Services
from bot.turn import Message, Posted
from storage.conversations import ConversationInfo
from storage.schools import SchoolInfo


class ChannelUnavailable(DeliveryError):
    """No channel is set, or the bot is not (or no longer) in it."""


def channel_reference(reference: dict, channel_id: str) -> dict:
    """A conversation reference for a channel of the team `reference` belongs to."""
    channel = {**reference, "conversation": {**(reference.get("conversation") or {}), "id": channel_id,
                                             "conversationType": "channel"}}
    channel.pop("activityId", None)
    return channel


async def channel_of(services: Services, school: SchoolInfo | None, authority_id: int | None = None) -> str | None:
    """The school's channel; else its local authority's (or, for a case with no school, `authority_id`'s)."""
    if school is not None and school.reminders_channel_id:
        return school.reminders_channel_id
    return await services.store.schools.authority_channel(school.authority_id if school else authority_id)


async def post_to_channel(services: Services, channel_id: str | None, message: Message, *,
                          conversation: ConversationInfo | None = None) -> Posted:
    """A new thread in the channel (its stored `conversation`, read here unless given); a ConversationGone answer
    marks the channel dead."""
    check(message, CHANNEL, "a new channel thread")
    if not channel_id:
        raise ChannelUnavailable("no reminders channel is set: an admin says 'set reminders channel' in it")
    conversation = conversation or await services.store.conversations.get(channel_id)
    if conversation is None:
        raise ChannelUnavailable("the bot has not been added to the team of the reminders channel")
    posted = await post_or_mark_dead(
        services, conversation, called="the reminders channel", unavailable=ChannelUnavailable,
        post=lambda messenger, reference: messenger.start_thread(reference, channel_id, message))
    return replace(posted, text=shown(message), conversation_kind="channel")
