"""The wire format: an inbound activity as a `Turn`, a `Message` as an activity or the Bot Connector's JSON."""

from __future__ import annotations

from contextvars import ContextVar

from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.schema import Activity, ActivityTypes

from bot.turn import MESSAGE, Message, Sender, Turn

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"

# The JSON of the activity being handled, as the request carried it (set by the gateway).
INBOUND: ContextVar[dict | None] = ContextVar("inbound activity JSON", default=None)


def activity_of(message: Message) -> Activity:
    """A message as botbuilder's activity model, for botbuilder's own sending path."""
    if message.card is not None:
        activity = MessageFactory.attachment(CardFactory.adaptive_card(message.card), text=message.text)
    else:
        activity = MessageFactory.text(message.text or "")
    if message.summary:
        activity.summary = message.summary
    return activity


def content(message: Message) -> dict:
    """A message activity's content as the Bot Connector's JSON."""
    body: dict = {"type": "message", "inputHint": "acceptingInput"}
    if message.card is not None:
        body["attachments"] = [{"contentType": CARD_CONTENT_TYPE, "content": message.card}]
        if message.text:
            body["text"] = message.text
    else:
        body["text"] = message.text or ""
    if message.summary:
        body["summary"] = message.summary
    return body


def reference_of(context: TurnContext) -> dict:
    """The turn's conversation reference as JSON, as botbuilder's would serialise it.

    Taken from the request's JSON when it is this activity's: serialising botbuilder's models costs
    more than the rest of reading the activity.
    """
    raw = INBOUND.get()
    activity = context.activity
    if not isinstance(raw, dict) or raw.get("id") != activity.id or activity.type == ActivityTypes.conversation_update:
        return TurnContext.get_conversation_reference(activity).serialize()
    reference = {"activityId": raw.get("id"), "user": raw.get("from"), "bot": raw.get("recipient"),
                 "conversation": raw.get("conversation"), "channelId": raw.get("channelId"),
                 "locale": raw.get("locale"), "serviceUrl": raw.get("serviceUrl")}
    return {key: value for key, value in reference.items() if value is not None}


def turn_of(context: TurnContext, kind: str, verb: str = "", data: dict | None = None) -> Turn:
    activity = context.activity
    sender = activity.from_property
    conversation = activity.conversation
    channel_data = activity.channel_data or {}
    tenant_id = conversation.tenant_id or (channel_data.get("tenant") or {}).get("id")
    channel_id = (channel_data.get("channel") or {}).get("id")
    if conversation.conversation_type == "channel" and not channel_id:
        channel_id = conversation.id.split(";", 1)[0]
    text = ""
    if kind == MESSAGE and activity.text:
        text = (TurnContext.remove_recipient_mention(activity) or activity.text or "").strip()
    return Turn(
        kind=kind,
        sender=Sender(getattr(sender, "aad_object_id", None) or "", getattr(sender, "name", None) or ""),
        conversation_id=conversation.id,
        # Teams always says which kind; one that does not is no personal chat, so nothing of a child goes there.
        conversation_kind=conversation.conversation_type or "unknown",
        reference=reference_of(context),
        activity_id=activity.id,
        text=text,
        verb=verb,
        data=data or {},
        reply_to_id=activity.reply_to_id,
        tenant_id=tenant_id,
        team_id=(channel_data.get("team") or {}).get("id"),
        channel_id=channel_id,
    )


# What botbuilder and turn_of read from an activity, and the JSON type each must have when present.
_TEXT_FIELDS = ("id", "replyToId", "text", "locale", "name", "channelId", "timestamp", "localTimestamp", "action",
                "textFormat", "summary", "inputHint", "valueType", "label", "callerId", "expiration", "importance",
                "deliveryMode", "topicName")
_LIST_FIELDS = ("entities", "attachments", "membersAdded", "membersRemoved", "reactionsAdded", "reactionsRemoved",
                "listenFor", "textHighlights", "suggestedActions")
_ACCOUNTS = ("from", "recipient")
_CHANNEL_DATA_PARTS = ("tenant", "team", "channel")


def _is_account(value, *, required: bool = True) -> bool:
    """A JSON object whose string id is present (or, where not required, absent) and whose other names are text."""
    if not isinstance(value, dict):
        return False
    ids_ok = isinstance(value.get("id"), str) and bool(value["id"]) if required else \
        value.get("id") is None or isinstance(value.get("id"), str)
    return ids_ok and all(value.get(key) is None or isinstance(value[key], str)
                          for key in ("name", "aadObjectId", "role", "conversationType", "tenantId"))


def envelope_problem(body: dict) -> str | None:
    """Which part of an activity is missing or of the wrong type, by its field's name; None if it can be read.

    Teams always sends these well formed; anything else is a forged or broken client, refused before botbuilder
    reads it (its models fail on wrong types deep inside, with the values in the error).
    """
    for check in (_head_problem, _fields_problem, _members_problem, _entities_problem, _channel_data_problem):
        if problem := check(body):
            return problem
    return None


def _head_problem(body: dict) -> str | None:
    if not isinstance(body.get("type"), str) or not body["type"]:
        return "type"
    if not isinstance(body.get("serviceUrl"), str) or not body["serviceUrl"].startswith(("https://", "http://")):
        return "serviceUrl"
    if not _is_account(body.get("conversation")):
        return "conversation"
    if body["conversation"].get("isGroup") is not None and not isinstance(body["conversation"]["isGroup"], bool):
        return "conversation"
    return next((name for name in _ACCOUNTS if not _is_account(body.get(name))), None)


def _fields_problem(body: dict) -> str | None:
    for name in _TEXT_FIELDS:
        if body.get(name) is not None and not isinstance(body[name], str):
            return name
    for name in _LIST_FIELDS:
        value = body.get(name)
        if value is not None and not (isinstance(value, list) and all(isinstance(item, dict) for item in value)):
            return name
    return None


def _members_problem(body: dict) -> str | None:
    members = (*(body.get("membersAdded") or ()), *(body.get("membersRemoved") or ()))
    return "members" if any(not _is_account(item, required=False) for item in members) else None


def _entities_problem(body: dict) -> str | None:
    for entity in body.get("entities") or ():
        if not isinstance(entity.get("type"), str) or not isinstance(entity.get("text", ""), str) or \
                not _is_account(entity.get("mentioned", {}), required=False):
            return "entities"
    return None


def _channel_data_problem(body: dict) -> str | None:
    channel_data = body.get("channelData")
    if channel_data is None:
        return None
    if not isinstance(channel_data, dict):
        return "channelData"
    for part in _CHANNEL_DATA_PARTS:
        if channel_data.get(part) is not None and not _is_account(channel_data[part], required=False):
            return f"channelData.{part}"
    return None
