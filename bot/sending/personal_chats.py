"""Posting into someone's personal chat with the bot."""

from __future__ import annotations

from bot.sending.errors import ConversationGone, DeliveryError
from bot.services import Services
from bot.turn import Message, Posted


class ChatUnavailable(DeliveryError):
    """The person has no personal chat with the bot, or it can no longer be reached."""


async def send_to_person(services: Services, aad_object_id: str, message: Message) -> Posted:
    """A message in the person's personal chat; a ConversationGone answer marks the chat dead.

    Teams answers 403 once the person has removed or blocked the app; installing it again stores the
    chat anew, alive.
    """
    chat = await services.store.conversations.personal_chat(aad_object_id)
    if chat is None:
        raise ChatUnavailable("no personal chat with the bot")
    if not chat.alive:
        raise ChatUnavailable(f"the personal chat cannot be reached ({chat.dead_reason})")
    if services.messenger is None:
        raise ChatUnavailable("not connected to Teams")
    try:
        activity_id = await services.messenger.send(chat.reference, message)
    except ConversationGone as error:
        await services.store.conversations.mark_dead(chat.conversation_id, str(error))
        raise
    return Posted(chat.conversation_id, activity_id)
