"""The incoming activity read as botbuilder's msrest Deserializer reads it, for the shapes Teams sends a turn in.

msrest walks every field of the schema's models with a dozen calls a field (about a thousand for a card's submit,
0.15 ms). This reads the fields the models map straight from the JSON into the same models, and leaves anything
else to msrest: a field of a kind it does not read (attachments, members added, suggested actions...), a value
not of its field's JSON type, a date msrest would refuse. tests/unit/test_activity_reader.py holds the two to
the same Activity, field by field, and the schema to the field types read here.
"""

from __future__ import annotations

from typing import Any

from botbuilder.schema import Activity, ChannelAccount, ConversationAccount, Entity
from msrest.exceptions import DeserializationError
from msrest.serialization import Deserializer, Model

from bot.teams.transport import JSON_SCALARS

_MODELS: dict[str, type[Model]] = {"ChannelAccount": ChannelAccount, "ConversationAccount": ConversationAccount}
_SCALARS = {"str": str, "bool": bool}


class _NotRead(Exception):
    """A value this reader leaves to msrest."""


def read_activity(body: dict, deserializer: Deserializer) -> Activity:
    """The activity in `body` (a JSON object), as `deserializer("Activity", body)` gives it."""
    try:
        return _model(Activity, body)
    except (_NotRead, DeserializationError, TypeError, ValueError, AttributeError):
        return deserializer("Activity", body)  # which says what it cannot read, as before


def _model(cls: type[Model], data: Any) -> Any:
    if type(data) is not dict:
        raise _NotRead
    fields, mapped, extra = {}, _mapped(cls), False
    for key, value in data.items():
        if key not in mapped:
            extra = True
        elif value is not None:
            attribute, kind = mapped[key]
            fields[attribute] = _value(value, kind)
    read = cls(**fields)
    if extra:  # kept as msrest keeps the keys its model does not map
        read.additional_properties = {key: data[key] for key in set(data.keys()) - _known(cls)}
    return read


def _value(value: Any, kind: str) -> Any:
    scalar = _SCALARS.get(kind)
    if scalar is not None:
        if type(value) is not scalar:
            raise _NotRead
        return value
    if kind == "object":
        return _copied(value)
    if kind == "iso-8601":
        return Deserializer.deserialize_iso(value)
    if kind in _MODELS:
        return _model(_MODELS[kind], value)
    if kind == "[Entity]" and type(value) is list:
        return [_model(Entity, entity) for entity in value]
    raise _NotRead


def _copied(value: Any) -> Any:
    """A JSON value copied as msrest copies an "object" field: dicts and lists anew, the rest as it is."""
    kind = type(value)
    if kind is dict:
        return {key: item if type(item) in JSON_SCALARS else _copied(item) for key, item in value.items()}
    if kind is list:
        return [item if type(item) in JSON_SCALARS else _copied(item) for item in value]
    if kind in JSON_SCALARS:
        return value
    raise _NotRead


_MAPPED: dict[type, dict[str, tuple[str, str]]] = {}
_KNOWN: dict[type, set[str]] = {}


def _mapped(cls: type[Model]) -> dict[str, tuple[str, str]]:
    """The model's fields by their JSON key: (attribute, msrest type). botbuilder's private _attribute_map."""
    if cls not in _MAPPED:
        _MAPPED[cls] = {desc["key"]: (attribute, desc["type"]) for attribute, desc in cls._attribute_map.items()}
    return _MAPPED[cls]


def _known(cls: type[Model]) -> set[str]:
    """The keys the model maps, as a set: the same difference as msrest's gives the keys in the same order."""
    if cls not in _KNOWN:
        _KNOWN[cls] = {desc["key"] for desc in cls._attribute_map.values()}
    return _KNOWN[cls]
