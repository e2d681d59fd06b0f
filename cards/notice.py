"""A short card that says why nothing happened, for answers to card actions."""

from cards.base import card, text


def notice_card(message: str, *, title: str | None = None) -> dict:
    body = [text(title, bold=True)] if title else []
    return card(body + [text(message)])
