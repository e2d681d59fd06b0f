"""The text a person reads on a card, in reading order: what the bot keeps of each card it posts about a case, for
a subject access request (storage/card_messages.py, bot/ops/subject_access.py).

Text blocks and text runs, facts ("Title: value"), inputs ("Label: value as the card showed it"), the choices a
choice set offers and button titles ("[Title]"). Not what a person does not read: a button's data, images, the
fallback for old clients.
"""

from __future__ import annotations

from cards.base import Built

_NOT_READ = frozenset(("data", "fallback", "selectAction"))
_LISTED = ("choices", "facts")  # a choice or a fact is read by the list it is in, not by a type of its own
_TEXTS = frozenset(("TextBlock", "TextRun"))


def card_text(card: dict | list | None) -> str:
    """The card's readable text, one line a part; "" for no card."""
    parts: list[str] = []
    if isinstance(card, dict):
        _walk(card, parts, "")
    elif isinstance(card, list):
        _walk_list(card, parts, "")
    return "\n".join(filter(str.strip, parts))  # the parts that read as more than blanks


# The walk reads the text of every card the bot sends (a case card holds over a hundred dicts), so it tells the
# kinds of values apart by their class, and looks at a dict's "type" only when it is one that is read.
_SCALARS = frozenset((str, int, float, bool, type(None)))


def _walk(item: dict, parts: list[str], within: str) -> None:
    if type(item) is Built:
        if item.read is None or item.read[0] != within:
            read: list[str] = []
            _walk_item(item, read, within)
            item.read = (within, read)
        parts.extend(item.read[1])
    else:
        _walk_item(item, parts, within)


def _walk_item(item: dict, parts: list[str], within: str) -> None:
    kind = str(item["type"]) if "type" in item else ""
    if kind in _TEXTS:
        parts.append(str(item["text"]) if "text" in item else "")
    elif within in _LISTED or kind[:7] == "Action." or kind[:6] == "Input.":
        parts.append(_line(item, kind, within))
    for key, value in item.items():
        cls = type(value)
        if cls in _SCALARS or key in _NOT_READ:
            continue
        if cls is dict or (cls is not list and isinstance(value, dict)):
            _walk(value, parts, key)
        elif cls is list or isinstance(value, list):
            _walk_list(value, parts, key)


def _walk_list(items: list, parts: list[str], within: str) -> None:
    for element in items:
        cls = type(element)
        if cls in _SCALARS:
            continue
        if cls is dict or (cls is not list and isinstance(element, dict)):
            _walk(element, parts, within)
        elif cls is list or isinstance(element, list):
            _walk_list(element, parts, within)


def _line(item: dict, kind: str, within: str) -> str:
    title = item["title"] if "title" in item else ""  # item.get, for the dozens of facts and choices of a card
    if within == "choices":
        return str(title)
    if kind == "Fact" or within == "facts":
        return f"{title}: {item['value'] if 'value' in item else ''}"
    if kind[:7] == "Action.":
        return f"[{title}]"
    label = str(item.get("label") or item.get("title") or item.get("placeholder") or "")
    value = item.get("value")
    if kind == "Input.ChoiceSet":  # the chosen choices' titles, not their ids
        titles = {str(c.get("value")): str(c.get("title", "")) for c in item.get("choices") or ()}
        value = ", ".join(titles.get(v, v) for v in str(value or "").split(",") if v)
    return f"{label}: {value}" if value not in (None, "") else label
