"""Posting into a stored conversation: refused while it is known dead, marked dead when Teams says it is gone."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from bot.sending.errors import ConversationGone, DeliveryError
from bot.services import Messenger, Services
from storage.conversations import ConversationInfo

T = TypeVar("T")


async def post_or_mark_dead(services: Services, conversation: ConversationInfo, *, called: str,
                            unavailable: type[DeliveryError],
                            post: Callable[[Messenger, dict], Awaitable[T]]) -> T:
    """What `post` gives, with the messenger and the conversation's reference.

    Teams answers 403 or 404 (ConversationGone) once the app is removed or blocked there: the
    conversation is then marked dead, and installing the app again stores it anew, alive.
    """
    if not conversation.alive:
        raise unavailable(f"{called} cannot be reached ({conversation.dead_reason})")
    if services.messenger is None:
        raise unavailable("not connected to Teams")
    try:
        return await post(services.messenger, conversation.reference)
    except ConversationGone as error:
        await services.store.conversations.mark_dead(conversation.conversation_id, str(error))
        raise
