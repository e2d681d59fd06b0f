"""Pressing a button on a card as the Teams client does: the action's data merged with the inputs' values."""

from __future__ import annotations


def _inputs(items) -> dict:
    values = {}
    for item in items or []:
        if not isinstance(item, dict):
            continue
        if item.get("type", "").startswith("Input.") and item.get("value") not in (None, ""):
            values[item["id"]] = item["value"]
        for key in ("items", "columns"):
            values |= _inputs(item.get(key))
    return values


def _actions(node, scope_inputs: dict):
    """(action, the inputs its submit sends) for every action in the card, ShowCards included."""
    if isinstance(node, dict):
        if node.get("type") == "Action.ShowCard":
            inner = node["card"]
            inner_inputs = _inputs(inner.get("body"))
            yield node, scope_inputs
            for action in inner.get("actions", []):
                yield from _actions(action, inner_inputs)
            for element in inner.get("body", []):
                yield from _actions(element, inner_inputs)
            return
        if node.get("type", "").startswith("Action."):
            yield node, scope_inputs
        for key, value in node.items():
            if key in ("actions", "body", "items", "columns"):
                yield from _actions(value, scope_inputs)
    elif isinstance(node, list):
        for element in node:
            yield from _actions(element, scope_inputs)


def actions_of(card: dict) -> list[str]:
    return [action.get("title", "") for action, _ in _actions(card, _inputs(card.get("body")))]


def press(card: dict, title: str, **typed) -> dict:
    """The value Teams sends when `title` is pressed after typing `typed` into the card's inputs."""
    for action, inputs in _actions(card, _inputs(card.get("body"))):
        if action.get("title") == title and action.get("type") in ("Action.Submit", "Action.Execute"):
            value = {**(action.get("data") or {}), **inputs, **{k: v for k, v in typed.items() if v is not None}}
            return {k: v for k, v in value.items() if v != ""}
    raise AssertionError(f"no button {title!r} on the card; it has {actions_of(card)}")


def shown(card, title: str) -> dict:
    """The form a case card's button opens (EWS contacted, Day 20 review, ...): each has its own Save."""
    if isinstance(card, dict):
        if card.get("type") == "Action.ShowCard" and card.get("title") == title:
            return card["card"]
        card = list(card.values())
    for part in card if isinstance(card, list) else []:
        if found := shown(part, title):
            return found
    return {}
