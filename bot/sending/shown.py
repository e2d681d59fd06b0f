"""What a person reads on a message the bot posts: kept with each card about a case (storage/card_messages.py) for
subject access. Never logged: a personal chat's card names the pupil."""

from __future__ import annotations

from bot.turn import Message
from cards.readable import card_text


def shown(message: Message) -> str:
    """The card's readable text, or the message's text."""
    return card_text(message.card) if message.card else (message.text or "")
