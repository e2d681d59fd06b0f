"""Everything botbuilder: the only module that imports it.

Inbound, it turns Teams activities into `Turn`s for the dispatcher and answers invokes. Outbound, it
sends, updates and starts channel threads, and translates the Bot Connector's failures into
`bot.delivery_errors`. Moving to the Microsoft 365 Agents SDK means rewriting this file alone.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import quote

from aiohttp import web
from botbuilder.core import (
    ActivityHandler,
    BotAdapter,
    CardFactory,
    InvokeResponse,
    MessageFactory,
    TurnContext,
)
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    AdaptiveCardInvokeResponse,
    ConversationParameters,
    ConversationReference,
    ErrorResponseException,
)
from msrest.exceptions import ClientRequestError

from bot.config import Settings
from bot.delivery_errors import ConversationGone, DeliveryError, DeliveryUncertain, Throttled
from bot.turn import ACTION, INSTALLED, MESSAGE, SUBMIT, UNINSTALLED, Message, Posted, Sender, Turn

log = logging.getLogger(__name__)

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
RETRYABLE = {412, 429, 502, 503, 504}

Dispatch = Callable[[Turn, "TurnOutbox"], Awaitable[dict | None]]


@dataclass(frozen=True)
class _AuthConfig:
    """botbuilder reads its credentials from attributes with these names."""

    APP_ID: str
    APP_PASSWORD: str
    APP_TYPE: str
    APP_TENANTID: str


def _activity(message: Message) -> Activity:
    if message.card is not None:
        activity = MessageFactory.attachment(CardFactory.adaptive_card(message.card), text=message.text)
    else:
        activity = MessageFactory.text(message.text or "")
    if message.summary:
        activity.summary = message.summary
    return activity


def _translate(error: Exception, *, posting: bool) -> DeliveryError:
    """The Bot Connector's answer, in the terms the callers act on."""
    if isinstance(error, ErrorResponseException):
        response = getattr(error, "response", None)
        status = getattr(response, "status_code", None) or getattr(response, "status", None)
        headers = getattr(response, "headers", None) or {}
        code = getattr(getattr(getattr(error, "error", None), "error", None), "code", None) or ""
        text = f"{status} {code}".strip()
        if status in (403, 404):
            return ConversationGone(text, status)
        if status == 429 or (status in RETRYABLE and not (posting and status >= 500)):
            retry_after = headers.get("Retry-After") if hasattr(headers, "get") else None
            try:
                seconds = float(retry_after) if retry_after is not None else None
            except ValueError:
                seconds = None
            return Throttled(text, status, seconds)
        if posting and status is not None and status >= 500:
            return DeliveryUncertain(text, status)
        return DeliveryError(text, status)
    if isinstance(error, ClientRequestError | TimeoutError | ConnectionError):
        if posting:
            return DeliveryUncertain(f"no answer from the Bot Connector: {type(error).__name__}")
        return Throttled(f"no answer from the Bot Connector: {type(error).__name__}", 0, None)
    return DeliveryError(f"{type(error).__name__}: {error}")


class TurnOutbox:
    """Replies inside the conversation of the turn being handled."""

    def __init__(self, context: TurnContext) -> None:
        self._context = context

    async def send(self, message: Message) -> str | None:
        try:
            response = await self._context.send_activity(_activity(message))
        except Exception as error:  # noqa: BLE001 - translated for the caller
            raise _translate(error, posting=True) from error
        return response.id if response else None

    async def update(self, activity_id: str, message: Message) -> None:
        activity = _activity(message)
        activity.id = activity_id
        try:
            await self._context.update_activity(activity)
        except Exception as error:  # noqa: BLE001
            raise _translate(error, posting=False) from error


def _turn(context: TurnContext, kind: str, verb: str = "", data: dict | None = None) -> Turn:
    activity = context.activity
    sender = activity.from_property
    conversation = activity.conversation
    channel_data = activity.channel_data or {}
    tenant_id = conversation.tenant_id or (channel_data.get("tenant") or {}).get("id")
    channel_id = (channel_data.get("channel") or {}).get("id")
    if conversation.conversation_type == "channel" and not channel_id:
        channel_id = conversation.id.split(";", 1)[0]
    text = ""
    if kind == MESSAGE:
        text = (TurnContext.remove_recipient_mention(activity) or activity.text or "").strip()
    return Turn(
        kind=kind,
        sender=Sender(getattr(sender, "aad_object_id", None) or "", getattr(sender, "name", None) or "",
                      getattr(sender, "id", None) or ""),
        conversation_id=conversation.id,
        conversation_kind=conversation.conversation_type or "personal",
        reference=TurnContext.get_conversation_reference(activity).serialize(),
        activity_id=activity.id,
        text=text,
        verb=verb,
        data=data or {},
        reply_to_id=activity.reply_to_id,
        tenant_id=tenant_id,
        team_id=(channel_data.get("team") or {}).get("id"),
        channel_id=channel_id,
    )


class _Handler(ActivityHandler):
    def __init__(self, dispatch: Dispatch, app_id: str) -> None:
        self._dispatch = dispatch
        self._app_id = app_id

    async def on_message_activity(self, context: TurnContext) -> None:
        value = context.activity.value
        if isinstance(value, dict) and not (context.activity.text or "").strip():
            await self._dispatch(_turn(context, SUBMIT, str(value.get("verb", "")), value), TurnOutbox(context))
        else:
            await self._dispatch(_turn(context, MESSAGE), TurnOutbox(context))

    async def on_members_added_activity(self, members_added, context: TurnContext) -> None:
        bot_id = context.activity.recipient.id
        if any(member.id == bot_id for member in members_added):
            await self._dispatch(_turn(context, INSTALLED), TurnOutbox(context))

    async def on_installation_update_add(self, context: TurnContext) -> None:
        await self._dispatch(_turn(context, INSTALLED), TurnOutbox(context))

    async def on_installation_update_remove(self, context: TurnContext) -> None:
        await self._dispatch(_turn(context, UNINSTALLED), TurnOutbox(context))

    async def on_invoke_activity(self, context: TurnContext) -> InvokeResponse | None:
        # botbuilder 4.17.1 serialises the body of _create_invoke_response twice (HTTP 500), so the
        # adaptiveCard/action answer is built here as a model the adapter serialises once.
        if context.activity.name != "adaptiveCard/action":
            return await super().on_invoke_activity(context)
        action = (context.activity.value or {}).get("action") or {}
        turn = _turn(context, ACTION, str(action.get("verb") or ""), dict(action.get("data") or {}))
        card = await self._dispatch(turn, TurnOutbox(context))
        if card is None:
            body = AdaptiveCardInvokeResponse(status_code=200, type="application/vnd.microsoft.activity.message",
                                              value="Done.")
        else:
            body = AdaptiveCardInvokeResponse(status_code=200, type=CARD_CONTENT_TYPE, value=card)
        return InvokeResponse(status=200, body=body)


class TeamsGateway:
    """The bot's connection to Teams, inbound and outbound."""

    def __init__(self, settings: Settings, dispatch: Dispatch) -> None:
        auth = ConfigurationBotFrameworkAuthentication(_AuthConfig(
            settings.app_id, settings.app_password, settings.app_type, settings.app_tenant_id))
        self._app_id = settings.app_id
        self._allowed_tenant = settings.app_tenant_id if settings.app_type == "SingleTenant" else ""
        self._adapter = CloudAdapter(auth)
        self._adapter.on_turn_error = self._on_turn_error
        self._handler = _Handler(dispatch, settings.app_id)

    async def process(self, request: web.Request) -> web.Response:
        if "application/json" not in request.headers.get("Content-Type", ""):
            return web.json_response({"error": "expected an application/json activity"}, status=415)
        response = await self._adapter.process(request, self._handler)
        return response or web.Response(status=201)

    async def _on_turn_error(self, context: TurnContext, error: Exception) -> None:
        log.exception("turn failed: %s", type(error).__name__, exc_info=error)
        if context.activity.type == ActivityTypes.message:
            try:
                await context.send_activity("Sorry, something went wrong on my side and nothing was changed. "
                                            "Please try again in a minute.")
            except Exception:  # noqa: BLE001 - the connector itself may be what failed
                log.warning("could not tell the user about the failure")

    async def _continue(self, reference: dict, callback: Callable[[TurnContext], Awaitable[None]]) -> None:
        await self._adapter.continue_conversation(
            ConversationReference().deserialize(reference), callback, bot_app_id=self._app_id or None)

    async def send(self, reference: dict, message: Message) -> str:
        """Post into a stored conversation (a personal chat, or a reply in a channel thread)."""
        sent: dict = {}

        async def callback(context: TurnContext) -> None:
            sent["id"] = await TurnOutbox(context).send(message)

        try:
            await self._continue(reference, callback)
        except DeliveryError:
            raise
        except Exception as error:  # noqa: BLE001
            raise _translate(error, posting=True) from error
        return sent.get("id") or ""

    async def update(self, reference: dict, activity_id: str, message: Message) -> None:
        async def callback(context: TurnContext) -> None:
            await TurnOutbox(context).update(activity_id, message)

        try:
            await self._continue(reference, callback)
        except DeliveryError:
            raise
        except Exception as error:  # noqa: BLE001
            raise _translate(error, posting=False) from error

    async def start_thread(self, team_reference: dict, channel_id: str, message: Message) -> Posted:
        """Post a card as a new thread in a team channel; returns where it lives, to update it later."""
        reference = ConversationReference().deserialize(team_reference)
        tenant_id = reference.conversation.tenant_id if reference.conversation else None
        parameters = ConversationParameters(
            is_group=True,
            channel_data={"channel": {"id": channel_id}, **({"tenant": {"id": tenant_id}} if tenant_id else {})},
            activity=_activity(message),
            bot=reference.bot,
            tenant_id=tenant_id,
        )
        posted: dict = {}

        async def callback(context: TurnContext) -> None:
            posted["conversation_id"] = context.activity.conversation.id
            posted["activity_id"] = context.activity.id or ""

        try:
            await self._adapter.create_conversation(
                self._app_id or None, callback, parameters, "msteams", reference.service_url, None)
        except Exception as error:  # noqa: BLE001
            raise _translate(error, posting=True) from error
        conversation_id = posted.get("conversation_id", "")
        activity_id = posted.get("activity_id") or conversation_id.rpartition(";messageid=")[2]
        return Posted(conversation_id, activity_id)

    async def team_channels(self, team_reference: dict, team_id: str) -> list[tuple[str, str]]:
        """(channel id, name) of the team's channels; General's name comes back empty from Teams."""
        found: list[tuple[str, str]] = []

        async def callback(context: TurnContext) -> None:
            # TeamsInfo.get_team_channels makes a blocking HTTP call on the event loop; this is the
            # same GET through the turn's asynchronous connector client.
            client = context.turn_state[BotAdapter.BOT_CONNECTOR_CLIENT_KEY]._client
            url = f"{context.activity.service_url.rstrip('/')}/v3/teams/{quote(team_id, safe='')}/conversations"
            response = await client.async_send(client.get(url))
            if response.status_code >= 400:
                raise DeliveryError(f"listing channels answered {response.status_code}", response.status_code)
            for channel in json.loads(response.text()).get("conversations", []):
                found.append((channel["id"], channel.get("name") or "General"))

        await self._continue(team_reference, callback)
        return found
