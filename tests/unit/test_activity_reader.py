"""bot/teams/activity.py reads an incoming activity into the same Activity as botbuilder's msrest Deserializer."""

from __future__ import annotations

import copy

import pytest
from botbuilder.schema import Activity, ChannelAccount, ConversationAccount, Entity
from msrest.exceptions import DeserializationError
from msrest.serialization import Deserializer

from bot.teams.activity import read_activity
from tests.unit.test_canaries import changed

MSREST = Deserializer(Activity._infer_class_models())
TENANT = "5e1f0000-0000-4000-8000-00000000c3e0"


def envelope(**fields) -> dict:
    return {"type": "message", "id": "act-1", "timestamp": "2026-12-04T20:21:23.286189+00:00",
            "localTimestamp": "2026-12-04T20:21:23.286+00:00", "localTimezone": "Europe/London",
            "serviceUrl": "https://smba.trafficmanager.net/uk/", "channelId": "msteams",
            "from": {"id": "29:user", "name": "Report User", "aadObjectId": "00000000-0000-4000-8000-7265706f0002"},
            "conversation": {"id": "a:personal", "conversationType": "personal", "tenantId": TENANT},
            "recipient": {"id": "28:bot", "name": "CME Tracker"},
            "channelData": {"tenant": {"id": TENANT}, "source": {"name": "message"}}, "locale": "en-GB",
            "entities": [{"type": "clientInfo", "locale": "en-GB", "country": "GB", "platform": "Web",
                          "timezone": "Europe/London"}], **fields}


SHAPES = {
    "a card's submit": envelope(replyToId="1:card", value={
        "verb": "report.submit", "step": 3, "draft": {"forename": "Ada", "known_so_far": "<b>moved</b>"},
        "risk": ["no", None, 1.5, True]}),
    "a typed message": envelope(text="my cases", textFormat="plain"),
    "an Action.Execute": envelope(type="invoke", name="adaptiveCard/action", value={
        "action": {"type": "Action.Execute", "verb": "case.open", "data": {"case": "CME-2026-0001"}},
        "trigger": "manual"}),
    "a group chat message": envelope(text="<at>CME Tracker</at> help", conversation={
        "id": "19:group", "conversationType": "groupChat", "isGroup": True, "tenantId": TENANT, "extra": {"a": 1}}),
    "nulls": envelope(text=None, replyToId=None, value=None),
}
LEFT_TO_MSREST = {
    "members added": envelope(type="conversationUpdate", membersAdded=[{"id": "28:bot"}]),
    "attachments": envelope(text="see", attachments=[{"contentType": "text/html", "content": "<p>see</p>"}]),
    "a number for an id": envelope(id=42, conversation={"id": 7, "isGroup": "true"}),
}


def fields_of(read) -> object:
    """Everything a model holds, nested models too, with the order of the keys it did not map."""
    if isinstance(read, list):
        return [fields_of(item) for item in read]
    if hasattr(read, "_attribute_map"):
        return {name: (list(value) if name == "additional_properties" else None, fields_of(value))
                for name, value in vars(read).items()}
    return read


def not_msrest(name: str, body: dict) -> Activity:
    raise AssertionError("msrest was not to be asked")


@pytest.mark.parametrize("body", [*SHAPES.values(), *LEFT_TO_MSREST.values()], ids=[*SHAPES, *LEFT_TO_MSREST])
def test_an_activity_reads_as_msrest_reads_it(body):
    sent = copy.deepcopy(body)
    read = read_activity(body, MSREST if body in LEFT_TO_MSREST.values() else not_msrest)
    assert type(read) is Activity and fields_of(read) == fields_of(MSREST("Activity", sent))
    assert body == sent
    if isinstance(body.get("value"), dict):  # a copy, as msrest gives: a change to it is not a change to the body
        assert read.value is not body["value"]


def test_an_activity_msrest_cannot_read_is_refused_as_msrest_refuses_it():
    for body in (envelope(timestamp="yesterday"), envelope(recipient=["28:bot"])):
        with pytest.raises(DeserializationError):
            read_activity(body, MSREST)


def test_the_schema_maps_the_fields_as_the_quick_reader_reads_them():
    why = changed("botbuilder-schema", "Model._attribute_map of Activity and the accounts",
                  "bot/teams/activity.py")
    types = {desc["type"] for model in (Activity, ChannelAccount, ConversationAccount, Entity)
             for desc in model._attribute_map.values()}
    read = {"str", "bool", "object", "iso-8601", "ChannelAccount", "ConversationAccount", "[Entity]"}
    assert read <= types, why
    assert all("." not in desc["key"] and desc["key"] for model in (Activity, ChannelAccount, ConversationAccount,
                                                                     Entity)
               for desc in model._attribute_map.values()), why
    assert Activity._attribute_map["from_property"] == {"key": "from", "type": "ChannelAccount"}, why
    assert Activity._attribute_map["entities"] == {"key": "entities", "type": "[Entity]"}, why
    assert not any(getattr(model, "_subtype_map", None) or getattr(model, "_validation", None)
                   for model in (Activity, ChannelAccount, ConversationAccount, Entity)), why
