"""Small builders over adaptive-cards-py: every card is a typed model, sent as a plain dict."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo

import pydantic
from adaptive_cards import card as ac

VERSION = "1.5"


def _complete_the_models() -> None:
    """adaptive-cards-py leaves most of its models with unresolved forward references, so pydantic
    tries (and fails) to rebuild them on every instantiation: 0.3 ms an element. Resolved once here."""
    names = vars(ac)
    for model in list(names.values()):
        if isinstance(model, type) and issubclass(model, pydantic.BaseModel) and model is not pydantic.BaseModel \
                and not model.__pydantic_complete__:
            model.model_rebuild(_types_namespace=names)


_complete_the_models()


def as_json(value: Any) -> Any:
    """A card model as JSON: what model_dump(mode="json", exclude_none=True, by_alias=True) gives.

    pydantic's serializer tries the thirty element types of every item's union in turn, which made it
    the dearest step of sending a card (about a millisecond for `my cases`); the models declare no
    serializers of their own, so their fields are walked here. tests/scenario/conftest.py checks that
    the two agree on every card the scenario tests send.
    """
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind in _NAMES:  # a model: its fields in their order, under their JSON names, but for those not set
        names, built = _NAMES[kind], {}
        for name, item in value.__dict__.items():
            if item is not None:
                of = type(item)
                built[names[name]] = item if of in _PLAIN else item._value_ if of in _ENUMS else as_json(item)
        return built
    if kind is list:
        return [item if type(item) in _PLAIN else as_json(item) for item in value]
    if kind is dict:
        return {key: item if type(item) in _PLAIN else as_json(item) for key, item in value.items()}
    if kind in _ENUMS:
        return value._value_
    return _first_of_its_kind(value)


def _first_of_its_kind(value: Any) -> Any:
    """A value of a class as_json has not seen yet (a model or enum class is then remembered), or not plain JSON."""
    kind = type(value)
    if isinstance(value, pydantic.BaseModel):
        _NAMES[kind] = {name: field.serialization_alias or field.alias or name
                        for name, field in kind.model_fields.items()}
        return as_json(value)
    if isinstance(value, list | tuple):
        return [as_json(item) for item in value]
    if isinstance(value, dict):
        return {key: as_json(item) for key, item in value.items()}
    if isinstance(value, Enum):
        _ENUMS.add(kind)
        return value.value
    return value


class Built(dict):
    """A part of a card built once, as JSON, and shared by every card it is in (nothing changes a card once built):
    as_json passes it as it is, and cards/readable.py reads its text once."""

    __slots__ = ("read",)

    def __init__(self, json: dict) -> None:
        super().__init__(json)
        self.read: tuple[str, list[str]] | None = None  # (the key it is read within, its lines), for readable.py


def built(*elements: Element) -> tuple[Built, ...]:
    """Elements that never change (a form's inputs and their choices), as JSON once."""
    return tuple(Built(as_json(element)) for element in elements)


_PLAIN = frozenset((str, int, float, bool, Built))  # JSON as it is
_NAMES: dict[type, dict[str, str]] = {}  # a model's fields' JSON names, read once a class
_ENUMS: set[type] = set()

Element = Any
Action = Any

_CARD = as_json(ac.AdaptiveCard(version=VERSION))  # its type, version and $schema

LONDON = ZoneInfo("Europe/London")  # times on cards are the schools' local time


def card(body: Sequence[Element], actions: Iterable[Action] = (), *, refresh: dict | None = None) -> dict:
    """The card as JSON: what adaptive-cards-py's AdaptiveCard.new().version(VERSION).add_items(body)
    .add_actions(actions).create() gives through as_json, without building the card's own model."""
    built = {**_CARD, "body": as_json(list(body))}
    actions = list(actions)
    if actions:
        built["actions"] = as_json(actions)
    built["msteams"] = {"width": "Full"}
    if refresh:
        built["refresh"] = refresh
    return built


def heading(text: str, *, color: str | None = None) -> Element:
    return ac.TextBlock(text=text, weight="bolder", size="medium", wrap=True, color=color)


def text(value: str, *, subtle: bool = False, bold: bool = False, color: str | None = None,
         id: str | None = None) -> Element:
    return ac.TextBlock(text=value, wrap=True, is_subtle=subtle or None, weight="bolder" if bold else None,
                        color=color, id=id)


def facts(pairs: Iterable[tuple[str, str]]) -> Element:
    return ac.FactSet(facts=[ac.Fact(title=title, value=value or "-") for title, value in pairs])


def lines(values: Iterable[str], *, subtle: bool = False, color: str | None = None) -> Element:
    """One TextBlock a line: a single newline inside a TextBlock does not break the line in every client."""
    return ac.Container(items=[ac.TextBlock(text=value, wrap=True, is_subtle=subtle or None, color=color,
                                            spacing="none") for value in values])


def bullets(lines: Iterable[str]) -> Element:
    return text("\n".join(f"- {line}" for line in lines))


def container(items: Sequence[Element], *, style: str | None = None, id: str | None = None,
              visible: bool | None = None) -> Element:
    return ac.Container(items=list(items), style=style, id=id, is_visible=visible)


def submit(title: str, verb: str, *, style: str | None = None, **data: Any) -> Action:
    """An Action.Submit: arrives as a message whose value carries `verb`, the data and the inputs."""
    return ac.ActionSubmit(title=title, data={"verb": verb, **data}, style=style)


def execute(title: str, verb: str, *, style: str | None = None, **data: Any) -> Action:
    """An Action.Execute (Universal Actions): arrives as an adaptiveCard/action invoke.

    Clients without Universal Actions fall back to an Action.Submit with the same verb and data.
    """
    fallback = ac.ActionSubmit(title=title, data={"verb": verb, **data}, style=style)
    return ac.ActionExecute(title=title, verb=verb, data={"verb": verb, **data}, style=style, fallback=fallback)


def show_card(title: str, body: Sequence[Element], actions: Iterable[Action]) -> Action:
    inner = ac.AdaptiveCard(version=VERSION)  # as its builder makes it, which sets the fields as they are
    inner.body, inner.actions = list(body), list(actions)
    return ac.ActionShowCard(title=title, card=inner)


def choices(pairs: Iterable[tuple[str, str]]) -> tuple:
    """A choice set's choices, (title, value) a choice. A list that never changes is built once at import: a choice
    set validates a choice it is given as it is, and nothing changes a choice once made."""
    return tuple(ac.InputChoice(title=title, value=value) for title, value in pairs)


def action_set(actions: Iterable[Action]) -> Element:
    return ac.ActionSet(actions=list(actions))
