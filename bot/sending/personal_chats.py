"""Posting into someone's personal chat with the bot."""

from __future__ import annotations

from bot.privacy import check
from bot.sending.errors import DeliveryError
from bot.sending.shown import shown
from bot.sending.stored_conversations import post_or_mark_dead
from bot.services import Services
from bot.turn import Message, Posted


class ChatUnavailable(DeliveryError):
    """The person has no personal chat with the bot, or it can no longer be reached."""


async def send_to_person(services: Services, aad_object_id: str, message: Message) -> Posted:
    """A message in the person's personal chat (see post_or_mark_dead for a chat Teams says is gone)."""
    chat = await services.store.conversations.personal_chat(aad_object_id)
    if chat is None:
        raise ChatUnavailable("no personal chat with the bot")
    check(message, chat.reference, "a message")
    activity_id = await post_or_mark_dead(
        services, chat, called="the personal chat", unavailable=ChatUnavailable,
        post=lambda messenger, reference: messenger.send(reference, message))
    return Posted(chat.conversation_id, activity_id, shown(message), chat.kind)
