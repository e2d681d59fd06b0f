"""Posting into a school's CME team channel, or the local authority's for cases with no school."""

from __future__ import annotations

from bot.sending.errors import ConversationGone, DeliveryError
from bot.services import Services
from bot.turn import Message, Posted
from storage.schools import SchoolInfo


class ChannelUnavailable(DeliveryError):
    """No channel is set, or the bot is not (or no longer) in it."""


def channel_reference(reference: dict, channel_id: str) -> dict:
    """A conversation reference for a channel of the team `reference` belongs to."""
    channel = {**reference, "conversation": {**(reference.get("conversation") or {}), "id": channel_id,
                                             "conversationType": "channel"}}
    channel.pop("activityId", None)
    return channel


async def channel_of(services: Services, school: SchoolInfo | None) -> str | None:
    if school is not None and school.reminders_channel_id:
        return school.reminders_channel_id
    return await services.store.schools.authority_channel()


async def post_to_channel(services: Services, channel_id: str | None, message: Message) -> Posted:
    """A new thread in the channel; a ConversationGone answer marks the channel dead."""
    if not channel_id:
        raise ChannelUnavailable("no reminders channel is set: an admin says 'set reminders channel' in it")
    conversation = await services.store.conversations.get(channel_id)
    if conversation is None:
        raise ChannelUnavailable("the bot has not been added to the team of the reminders channel")
    if not conversation.alive:
        raise ChannelUnavailable(f"the reminders channel cannot be reached ({conversation.dead_reason})")
    if services.messenger is None:
        raise ChannelUnavailable("not connected to Teams")
    try:
        return await services.messenger.start_thread(conversation.reference, channel_id, message)
    except ConversationGone as error:
        await services.store.conversations.mark_dead(channel_id, str(error))
        raise
