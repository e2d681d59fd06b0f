"""The text a person reads on a card, in reading order: what the bot keeps of each card it posts about a case, for
a subject access request (storage/card_messages.py, bot/ops/subject_access.py).

Text blocks and text runs, facts ("Title: value"), inputs ("Label: value as the card showed it"), the choices a
choice set offers and button titles ("[Title]"). Not what a person does not read: a button's data, images, the
fallback for old clients.
"""

from __future__ import annotations

_NOT_READ = ("data", "fallback", "selectAction")


def card_text(card: dict | list | None) -> str:
    """The card's readable text, one line a part; "" for no card."""
    parts: list[str] = []
    if isinstance(card, (dict, list)):
        _walk(card, parts)
    return "\n".join(part for part in parts if part.strip())


def _walk(item: dict | list, parts: list[str], within: str = "") -> None:
    """Descends only into dicts and lists: a card of a case holds hundreds of strings, read by their dict."""
    if isinstance(item, list):
        for element in item:
            if isinstance(element, (dict, list)):
                _walk(element, parts, within)
        return
    parts.extend(_read(item, within))
    for key, value in item.items():
        if isinstance(value, (dict, list)) and key not in _NOT_READ:
            _walk(value, parts, key)


def _read(item: dict, within: str) -> list[str]:
    kind = str(item.get("type", ""))
    if kind in ("TextBlock", "TextRun"):
        return [str(item.get("text", ""))]
    if within == "choices":
        return [str(item.get("title", ""))]
    if kind == "Fact" or within == "facts":
        return [f"{item.get('title', '')}: {item.get('value', '')}"]
    if kind.startswith("Action."):
        return [f"[{item.get('title', '')}]"]
    if kind.startswith("Input."):
        label = str(item.get("label") or item.get("title") or item.get("placeholder") or "")
        value = item.get("value")
        if kind == "Input.ChoiceSet":  # the chosen choices' titles, not their ids
            titles = {str(c.get("value")): str(c.get("title", "")) for c in item.get("choices") or ()}
            value = ", ".join(titles.get(v, v) for v in str(value or "").split(",") if v)
        return [f"{label}: {value}" if value not in (None, "") else label]
    return []
