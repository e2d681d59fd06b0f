"""Everything botbuilder: the only module that imports it.

Inbound, it turns Teams activities into `Turn`s for the dispatcher and answers invokes. Outbound, it
sends, updates and starts channel threads, and translates the Bot Connector's failures into
`bot.sending.errors`. Moving to the Microsoft 365 Agents SDK means rewriting this file alone.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from collections.abc import Awaitable, Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import quote
from urllib.request import getproxies

import aiohttp
from aiohttp import web
from botbuilder.core import (
    ActivityHandler,
    BotAdapter,
    CardFactory,
    InvokeResponse,
    MessageFactory,
    TurnContext,
    serializer_helper,
)
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    AdaptiveCardInvokeResponse,
    CallerIdConstants,
    ConversationReference,
    DeliveryModes,
    ErrorResponseException,
)
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import (
    AuthenticateRequestResult,
    AuthenticationConstants,
    BotFrameworkAuthentication,
    ClaimsIdentity,
    ConnectorFactory,
    UserTokenClient,
)
from msrest.exceptions import ClientRequestError
from msrest.pipeline import AsyncHTTPPolicy, AsyncHTTPSender, AsyncPipeline
from msrest.pipeline import Request as PipelineRequest
from msrest.pipeline import Response as PipelineResponse
from msrest.pipeline.universal import RawDeserializer
from msrest.serialization import Deserializer, Serializer
from msrest.universal_http import ClientRequest
from msrest.universal_http.async_abc import AsyncClientResponse

from bot.config import Settings
from bot.sending.errors import ConversationGone, DeliveryError, DeliveryUncertain, Throttled
from bot.turn import ACTION, INSTALLED, MESSAGE, SUBMIT, UNINSTALLED, Message, Posted, Sender, Turn

log = logging.getLogger(__name__)

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
RETRYABLE = {412, 429, 502, 503, 504}

Dispatch = Callable[[Turn, "TurnOutbox"], Awaitable[dict | None]]


@dataclass(frozen=True)
class _AuthConfig:
    """botbuilder reads its credentials and endpoints from attributes with these names.

    The endpoints stay None (botbuilder's public cloud) unless the settings name one: then botbuilder
    takes every endpoint from here, so the ones not named keep the public cloud's values.
    """

    APP_ID: str
    APP_PASSWORD: str
    APP_TYPE: str
    APP_TENANTID: str
    TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL: str | None = None
    TO_BOT_FROM_CHANNEL_TOKEN_ISSUER: str | None = None
    TO_CHANNEL_FROM_BOT_LOGIN_URL: str | None = None
    TO_CHANNEL_FROM_BOT_OAUTH_SCOPE: str | None = None
    TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL: str | None = None
    OAUTH_URL: str | None = None
    CALLER_ID: str | None = None

    @classmethod
    def of(cls, settings: Settings) -> _AuthConfig:
        config = cls(settings.app_id, settings.app_password, settings.app_type, settings.app_tenant_id)
        named = {
            "TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL": settings.to_bot_from_channel_openid_metadata_url,
            "TO_BOT_FROM_CHANNEL_TOKEN_ISSUER": settings.to_bot_from_channel_token_issuer,
            "TO_CHANNEL_FROM_BOT_LOGIN_URL": settings.to_channel_from_bot_login_url,
            "TO_CHANNEL_FROM_BOT_OAUTH_SCOPE": settings.to_channel_from_bot_oauth_scope,
        }
        if not any(named.values()):
            return config
        public = AuthenticationConstants  # the values botbuilder's public-cloud default uses
        return replace(config, **{
            "TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL": public.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL,
            "TO_BOT_FROM_CHANNEL_TOKEN_ISSUER": public.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER,
            "TO_CHANNEL_FROM_BOT_LOGIN_URL": public.TO_CHANNEL_FROM_BOT_LOGIN_URL_PREFIX,
            "TO_CHANNEL_FROM_BOT_OAUTH_SCOPE": public.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE,
            "TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL": public.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL,
            "OAUTH_URL": public.OAUTH_URL,
            "CALLER_ID": CallerIdConstants.public_azure_channel,
            **{name: value for name, value in named.items() if value},
        })


class _OtherTenant(Exception):
    """An authenticated activity from a tenant this SingleTenant bot does not serve."""

    def __init__(self, tenant_id: str) -> None:
        super().__init__(tenant_id)
        self.tenant_id = tenant_id


class _AuthenticationUnavailable(Exception):
    """The Bot Framework's signing keys could not be fetched: no token can be checked."""


def _tenant_ids(activity: Activity) -> set[str]:
    """Every tenant id the activity names, lower-cased (Teams puts it in two places)."""
    channel_data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    tenant = channel_data.get("tenant")
    found = {getattr(activity.conversation, "tenant_id", None),
             tenant.get("id") if isinstance(tenant, dict) else None}
    return {str(t).lower() for t in found if t}


class _Authentication(ConfigurationBotFrameworkAuthentication):
    """botbuilder's check of the Bot Framework token, made strict.

    botbuilder raises PermissionError (401) for some bad tokens but lets others escape as a 500: a
    bad signature, an expired token, an unknown key, an unendorsed channel, a token that is not a JWT.
    Here every bad or missing token is a PermissionError. After the token, a SingleTenant bot accepts
    activities from its own tenant only.
    """

    def __init__(self, configuration: _AuthConfig, allowed_tenant: str) -> None:
        super().__init__(configuration)
        self._allowed_tenant = allowed_tenant.lower()

    async def authenticate_request(self, activity: Activity, auth_header: str):
        try:
            # None, not "": botbuilder's parameterised (non-public-cloud) path only knows None as "no token".
            result = await super().authenticate_request(activity, auth_header or None)
        except PermissionError:
            raise
        except OSError as error:  # requests' errors: the OpenID metadata or keys did not come
            raise _AuthenticationUnavailable(type(error).__name__) from error
        except Exception as error:  # noqa: BLE001 - whatever is wrong with the token, it is refused
            raise PermissionError(f"invalid token: {type(error).__name__}") from error
        if self._allowed_tenant:
            tenants = _tenant_ids(activity)
            if tenants != {self._allowed_tenant}:
                raise _OtherTenant(",".join(sorted(tenants)) or "none")
        return result


def _activity(message: Message) -> Activity:
    if message.card is not None:
        activity = MessageFactory.attachment(CardFactory.adaptive_card(message.card), text=message.text)
    else:
        activity = MessageFactory.text(message.text or "")
    if message.summary:
        activity.summary = message.summary
    return activity


def _refusal(status: int | None, headers, code: str, *, posting: bool) -> DeliveryError:
    """The Bot Connector's refusal, in the terms the callers act on."""
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


def _translate(error: Exception, *, posting: bool) -> DeliveryError:
    """An exception from botbuilder or the transport, in the terms the callers act on."""
    if isinstance(error, DeliveryError):
        return error
    if isinstance(error, ErrorResponseException):
        response = getattr(error, "response", None)
        status = getattr(response, "status_code", None) or getattr(response, "status", None)
        headers = getattr(response, "headers", None) or {}
        code = getattr(getattr(getattr(error, "error", None), "error", None), "code", None) or ""
        return _refusal(status, headers, code, posting=posting)
    if isinstance(error, ClientRequestError | aiohttp.ClientError | TimeoutError | ConnectionError):
        if posting:
            return DeliveryUncertain(f"no answer from the Bot Connector: {type(error).__name__}")
        return Throttled(f"no answer from the Bot Connector: {type(error).__name__}", 0, None)
    return DeliveryError(f"{type(error).__name__}: {error}")


def _content(message: Message) -> dict:
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


def _error_code(text: str) -> str:
    try:
        return str((json.loads(text).get("error") or {}).get("code") or "")
    except (ValueError, AttributeError):
        return ""


class TurnOutbox:
    """Replies inside the conversation of the turn being handled.

    A reply is posted as the Bot Connector's JSON through the turn's connector client: botbuilder's
    own path deep-copies the activity (a whole card) and runs it through msrest's model serializer,
    which cost more than the rest of a `help` turn. botbuilder's path stays for what it alone handles:
    expectReplies delivery and on_send_activities handlers (this bot uses neither).
    """

    def __init__(self, context: TurnContext, reference: dict | None = None) -> None:
        self._context = context
        self._reference = reference

    def _address(self) -> dict:
        if self._reference is None:
            self._reference = TurnContext.get_conversation_reference(self._context.activity).serialize()
        return self._reference

    def _botbuilder_only(self) -> bool:
        context = self._context
        return context.activity.delivery_mode == DeliveryModes.expect_replies or bool(context._on_send_activities)

    async def send(self, message: Message) -> str | None:
        if self._botbuilder_only():
            try:
                response = await self._context.send_activity(_activity(message))
            except Exception as error:  # noqa: BLE001 - translated for the caller
                raise _translate(error, posting=True) from error
            return response.id if response else None
        reference = self._address()
        body = {**_content(message), **self._addressing(reference)}
        path = f"v3/conversations/{quote(reference['conversation']['id'], safe='')}/activities"
        if reference.get("activityId"):
            body["replyToId"] = reference["activityId"]
            path += f"/{quote(reference['activityId'], safe='')}"
        answer = await self._call("POST", path, body, posting=True)
        self._context.responded = True
        return answer.get("id")

    async def update(self, activity_id: str, message: Message) -> None:
        if self._botbuilder_only():
            activity = _activity(message)
            activity.id = activity_id
            try:
                await self._context.update_activity(activity)
            except Exception as error:  # noqa: BLE001
                raise _translate(error, posting=False) from error
            return
        reference = self._address()
        body = {**_content(message), **self._addressing(reference), "id": activity_id}
        path = (f"v3/conversations/{quote(reference['conversation']['id'], safe='')}/activities/"
                f"{quote(activity_id, safe='')}")
        await self._call("PUT", path, body, posting=False)

    @staticmethod
    def _addressing(reference: dict) -> dict:
        """What botbuilder's apply_conversation_reference puts on a reply."""
        addressing = {"channelId": reference.get("channelId"), "serviceUrl": reference.get("serviceUrl"),
                      "conversation": reference.get("conversation"), "from": reference.get("bot"),
                      "recipient": reference.get("user"), "locale": reference.get("locale")}
        return {key: value for key, value in addressing.items() if value is not None}

    async def _call(self, method: str, path: str, body: dict, *, posting: bool) -> dict:
        client = self._context.turn_state[BotAdapter.BOT_CONNECTOR_CLIENT_KEY]
        return await _send_json(client, method, f"{self._address()['serviceUrl'].rstrip('/')}/{path}", body,
                                posting=posting)


async def _send_json(client: ConnectorClient, method: str, url: str, body: dict, *, posting: bool) -> dict:
    """A Bot Connector call with a JSON body, signed as the connector client signs its own."""
    calls: _JsonCalls | None = getattr(client, "cme_json", None)
    if calls is None:
        raise DeliveryError("this connector client was not made by ConnectorClients")
    status, headers, text = await calls.send(method, url, body, posting=posting)
    if status >= 400:
        raise _refusal(status, headers, _error_code(text), posting=posting)
    try:
        return json.loads(text) if text else {}
    except ValueError:
        return {}


_INBOUND: ContextVar[dict | None] = ContextVar("inbound activity JSON", default=None)


def _reference(context: TurnContext) -> dict:
    """The turn's conversation reference as JSON, as botbuilder's would serialise it.

    Taken from the request's JSON when it is this activity's: serialising botbuilder's models costs
    more than the rest of reading the activity.
    """
    raw = _INBOUND.get()
    activity = context.activity
    if not isinstance(raw, dict) or raw.get("id") != activity.id or activity.type == ActivityTypes.conversation_update:
        return TurnContext.get_conversation_reference(activity).serialize()
    reference = {"activityId": raw.get("id"), "user": raw.get("from"), "bot": raw.get("recipient"),
                 "conversation": raw.get("conversation"), "channelId": raw.get("channelId"),
                 "locale": raw.get("locale"), "serviceUrl": raw.get("serviceUrl")}
    return {key: value for key, value in reference.items() if value is not None}


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
        reference=_reference(context),
        activity_id=activity.id,
        text=text,
        verb=verb,
        data=data or {},
        reply_to_id=activity.reply_to_id,
        tenant_id=tenant_id,
        team_id=(channel_data.get("team") or {}).get("id"),
        channel_id=channel_id,
    )


class _InvokeAnswer(AdaptiveCardInvokeResponse):
    """The schema types `value` as a dict, but a message answer's value is a string."""

    _attribute_map = {**AdaptiveCardInvokeResponse._attribute_map, "value": {"key": "value", "type": "object"}}


class _Handler(ActivityHandler):
    def __init__(self, dispatch: Dispatch, app_id: str) -> None:
        self._dispatch = dispatch
        self._app_id = app_id

    async def _run(self, turn: Turn, context: TurnContext) -> dict | None:
        return await self._dispatch(turn, TurnOutbox(context, turn.reference))

    async def on_message_activity(self, context: TurnContext) -> None:
        value = context.activity.value
        if isinstance(value, dict) and not (context.activity.text or "").strip():
            await self._run(_turn(context, SUBMIT, str(value.get("verb", "")), value), context)
        else:
            await self._run(_turn(context, MESSAGE), context)

    async def on_members_added_activity(self, members_added, context: TurnContext) -> None:
        bot_id = context.activity.recipient.id
        if any(member.id == bot_id for member in members_added):
            await self._run(_turn(context, INSTALLED), context)

    async def on_installation_update_add(self, context: TurnContext) -> None:
        await self._run(_turn(context, INSTALLED), context)

    async def on_installation_update_remove(self, context: TurnContext) -> None:
        await self._run(_turn(context, UNINSTALLED), context)

    async def on_invoke_activity(self, context: TurnContext) -> InvokeResponse | None:
        # botbuilder 4.17.1 serialises the body of _create_invoke_response twice (HTTP 500), so the
        # adaptiveCard/action answer is built here as a model the adapter serialises once.
        if context.activity.name != "adaptiveCard/action":
            return await super().on_invoke_activity(context)
        action = (context.activity.value or {}).get("action") or {}
        turn = _turn(context, ACTION, str(action.get("verb") or ""), dict(action.get("data") or {}))
        card = await self._run(turn, context)
        if card is None:  # e.g. a redelivered invoke, answered already: the client keeps its card
            body = _InvokeAnswer(status_code=200, type="application/vnd.microsoft.activity.message", value="Done.")
        else:
            body = _InvokeAnswer(status_code=200, type=CARD_CONTENT_TYPE, value=card)
        return InvokeResponse(status=200, body=body)


# Outbound: one connector client per service URL, over aiohttp
#
# botbuilder's CloudAdapter builds a ConnectorClient (and a token client) for every turn and every
# proactive send, each with its own msrest Configuration, and posts through `requests` in a thread
# pool. Here the clients are built once per (service URL, app id, audience) and kept, their requests
# go out on one aiohttp session, the bearer token is asked of MSAL off the event loop and reused while
# it is fresh, and no user token client (OAuth sign-in, which this bot does not use) is built per turn.


class _AiohttpAnswer(AsyncClientResponse):
    """The Bot Connector's answer, read whole: msrest reads bodies synchronously."""

    def __init__(self, request: ClientRequest, answer: aiohttp.ClientResponse, body: bytes) -> None:
        super().__init__(request, answer)
        self.status_code = answer.status
        self.headers = answer.headers
        self.reason = answer.reason
        self._body = body

    def body(self) -> bytes:
        return self._body

    def raise_for_status(self) -> None:
        if self.status_code >= 400:
            raise ClientRequestError(f"Received status code {self.status_code}")


class _AiohttpSender(AsyncHTTPSender):
    """msrest's last step, sending on the shared aiohttp session instead of `requests` in a thread."""

    def __init__(self, session: Callable[[], aiohttp.ClientSession], config) -> None:
        self._session = session
        self._config = config

    async def __aenter__(self) -> _AiohttpSender:
        return self

    async def __aexit__(self, *exc_details) -> None:
        return None

    async def send(self, request: PipelineRequest, **config) -> PipelineResponse:
        http = request.http_request
        if http.files:
            raise ClientRequestError("file uploads are not supported by this transport")
        headers = {**self._config.headers, **http.headers}
        headers = {k: v for k, v in headers.items() if k.lower() != "content-length"}  # aiohttp counts them
        data = http.data.encode() if isinstance(http.data, str) else http.data
        try:
            async with self._session().request(
                    http.method, http.url, headers=headers, data=data,
                    timeout=aiohttp.ClientTimeout(total=self._config.connection.timeout)) as answer:
                body = await answer.read()
        except (aiohttp.ClientError, TimeoutError) as error:
            raise ClientRequestError(f"Error occurred in request. {type(error).__name__}: {error}") from error
        return PipelineResponse(request, _AiohttpAnswer(http, answer, body))


class _BearerTokens:
    """The app's bearer token, asked of MSAL off the event loop (it may call Entra ID) and reused.

    MSAL hands out a cached token only while it has more than five minutes to live, so a token held
    here for at most four minutes is never sent expired.
    """

    HOLD_SECONDS = 240.0

    def __init__(self, credentials) -> None:
        self._credentials = credentials
        self._token = ""
        self._until = 0.0
        self._lock = asyncio.Lock()

    async def get(self) -> str:
        if self._token and time.monotonic() < self._until:
            return self._token
        async with self._lock:
            if not (self._token and time.monotonic() < self._until):
                self._token = await asyncio.to_thread(self._credentials.get_access_token)
                self._until = time.monotonic() + self.HOLD_SECONDS
        return self._token


class _JsonCalls:
    """A connector client's JSON calls, straight on the shared aiohttp session with its token.

    msrest's pipeline (a request object, four policies, a response wrapper) cost more CPU than the
    call itself over a kept-alive connection; these calls send the same headers.
    """

    def __init__(self, session: Callable[[], aiohttp.ClientSession], tokens: _BearerTokens | None, config) -> None:
        self._session = session
        self._tokens = tokens
        self._headers = {**config.headers, "User-Agent": config.user_agent,
                         "Content-Type": "application/json; charset=utf-8", "Accept": "application/json"}
        self._timeout = aiohttp.ClientTimeout(total=config.connection.timeout)

    async def send(self, method: str, url: str, body: dict, *, posting: bool) -> tuple[int, Mapping, str]:
        headers = self._headers
        if self._tokens is not None:
            headers = {**headers, "Authorization": f"Bearer {await self._tokens.get()}"}
        try:
            async with self._session().request(method, url, headers=headers, data=json.dumps(body).encode(),
                                               timeout=self._timeout) as answer:
                return answer.status, answer.headers, await answer.text() if answer.status != 204 else ""
        except (aiohttp.ClientError, TimeoutError) as error:
            raise _translate(error, posting=posting) from error


class _Bearer(AsyncHTTPPolicy):
    """Signs each request as the app, as botbuilder's credentials do; nothing without an app id."""

    def __init__(self, tokens: _BearerTokens | None) -> None:
        super().__init__()
        self._tokens = tokens

    async def send(self, request: PipelineRequest, **kwargs) -> PipelineResponse:
        if self._tokens is not None:
            request.http_request.headers["Authorization"] = f"Bearer {await self._tokens.get()}"
        return await self.next.send(request, **kwargs)


def _signs(credentials) -> bool:
    """Whether botbuilder would put a token on requests made with these credentials."""
    app_id = getattr(credentials, "microsoft_app_id", None)
    return bool(app_id) and app_id != AuthenticationConstants.ANONYMOUS_SKILL_APP_ID


_PLAIN = (str, int, float, bool, type(None))


def _plain_json(value) -> bool:
    """Whether a value is made of JSON's own types only (a card, as cards/ builds them)."""
    kind = type(value)
    if kind is dict:
        return all(type(key) is str and _plain_json(item) for key, item in value.items())
    if kind is list:
        return all(_plain_json(item) for item in value)
    return kind in _PLAIN


class _BodySerializer(Serializer):
    """msrest's serializer, less two passes that cannot change a Bot Connector body.

    Validation: the Bot Framework models declare no constraints, so it never finds anything. Cards:
    msrest copies plain JSON item by item into the same JSON; a plain dict or list is used as it is.
    """

    def body(self, data, data_type, **kwargs):
        validating, self.client_side_validation = self.client_side_validation, False
        try:
            return super().body(data, data_type, **kwargs)
        finally:
            self.client_side_validation = validating

    def serialize_object(self, attr, **kwargs):
        if type(attr) in (dict, list) and _plain_json(attr):
            return attr
        return super().serialize_object(attr, **kwargs)


def _claimed_app_id(claims_identity: ClaimsIdentity | None) -> str:
    """The bot's app id as botbuilder's connector factory reads it from the claims (audience, else appid)."""
    if claims_identity is None:
        return ""
    return (claims_identity.get_claim_value(AuthenticationConstants.AUDIENCE_CLAIM)
            or claims_identity.get_claim_value(AuthenticationConstants.APP_ID_CLAIM) or "")


def _environment_has_proxies_or_netrc() -> bool:
    """Whether to honour proxies and .netrc from the environment, as `requests` did.

    aiohttp's trust_env reads them again for every request, which costs more than the request
    itself on loopback; with neither in the environment there is nothing to honour.
    """
    netrc = Path(os.environ.get("NETRC") or Path.home() / ".netrc")
    return bool(getproxies()) or netrc.is_file()


class ConnectorClients:
    """ConnectorClients kept per (service URL, app id, audience) and shared by every turn and send."""

    MOST = 64  # a bound, against service URLs made up by unauthenticated callers in development
    # Servers close idle connections (Node's, as the Agents Playground's, after 5 s). A POST sent on one
    # the server closes at that moment is lost and cannot safely be sent again, so the bot stops using
    # a connection first. (aiohttp's default, 15 s, outlives such servers' timeouts.)
    KEEPALIVE_SECONDS = 4.0

    def __init__(self) -> None:
        self._clients: dict[tuple[str, str, str | None], ConnectorClient] = {}
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.built = 0

    def session(self) -> aiohttp.ClientSession:
        """One aiohttp session (a pool of kept-alive connections) for this event loop."""
        loop = asyncio.get_running_loop()
        if self._session is None or self._session.closed or self._loop is not loop:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(keepalive_timeout=self.KEEPALIVE_SECONDS),
                trust_env=_environment_has_proxies_or_netrc())
            self._loop = loop
        return self._session

    async def get(self, service_url: str, app_id: str, audience: str | None,
                  make: Callable[[], ConnectorFactory]) -> ConnectorClient:
        key = (service_url, app_id, audience)
        client = self._clients.get(key)
        if client is None:
            client = await make().create(service_url, audience)
            self._adopt(client)
            self.built += 1
            if len(self._clients) >= self.MOST:
                self._clients.pop(next(iter(self._clients)))
            client = self._clients.setdefault(key, client)
        return client

    def _adopt(self, client: ConnectorClient) -> None:
        """The same client, sending through aiohttp with the token from _BearerTokens, serialising faster."""
        config = client.config
        tokens = _BearerTokens(config.credentials) if _signs(config.credentials) else None
        config.pipeline = AsyncPipeline(
            [config.user_agent_policy, _Bearer(tokens), RawDeserializer(), config.http_logger_policy],
            _AiohttpSender(self.session, config))
        client.cme_json = _JsonCalls(self.session, tokens, config)
        serializer = _BodySerializer(client._serialize.dependencies)
        client._serialize = client.conversations._serialize = client.attachments._serialize = serializer

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._clients.clear()


class _ReusedConnectorFactory(ConnectorFactory):
    def __init__(self, clients: ConnectorClients, app_id: str, make: Callable[[], ConnectorFactory]) -> None:
        self._clients = clients
        self._app_id = app_id
        self._make = make

    async def create(self, service_url: str, audience: str | None = None) -> ConnectorClient:
        return await self._clients.get(service_url, self._app_id, audience, self._make)


class ReusedConnections(BotFrameworkAuthentication):
    """`inner`'s inbound checks unchanged; outbound, its connector clients kept in ConnectorClients.

    The user token client (for OAuth sign-in cards) is not built per turn: there is none without an
    app id, and one per app id otherwise.
    """

    def __init__(self, inner: BotFrameworkAuthentication) -> None:
        self.inner = inner
        self.clients = ConnectorClients()
        self._token_clients: dict[str, UserTokenClient] = {}

    def _factory(self, claims_identity: ClaimsIdentity, make: Callable[[], ConnectorFactory]) -> ConnectorFactory:
        return _ReusedConnectorFactory(self.clients, _claimed_app_id(claims_identity), make)

    async def authenticate_request(self, activity: Activity, auth_header: str) -> AuthenticateRequestResult:
        result = await self.inner.authenticate_request(activity, auth_header)
        if result.connector_factory is not None:
            made = result.connector_factory
            result.connector_factory = self._factory(result.claims_identity, lambda: made)
        return result

    async def authenticate_streaming_request(self, auth_header: str,
                                             channel_id_header: str) -> AuthenticateRequestResult:
        return await self.inner.authenticate_streaming_request(auth_header, channel_id_header)

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        return self._factory(claims_identity, lambda: self.inner.create_connector_factory(claims_identity))

    async def create_user_token_client(self, claims_identity: ClaimsIdentity) -> UserTokenClient | None:
        app_id = _claimed_app_id(claims_identity)
        if not app_id:
            return None
        if app_id not in self._token_clients:
            self._token_clients[app_id] = await self.inner.create_user_token_client(claims_identity)
        return self._token_clients[app_id]

    def create_bot_framework_client(self):
        return self.inner.create_bot_framework_client()

    def get_originating_audience(self) -> str:
        return self.inner.get_originating_audience()

    async def authenticate_channel_request(self, auth_header: str) -> ClaimsIdentity:
        return await self.inner.authenticate_channel_request(auth_header)

    async def close(self) -> None:
        await self.clients.close()


class _Adapter(CloudAdapter):
    """botbuilder's CloudAdapter, given the activity's JSON already parsed.

    CloudAdapter.process parses the body again and reads it with a msrest Deserializer it builds for
    every request from the schema's hundred model classes; one built once reads it the same way.
    """

    _ACTIVITY = Deserializer(Activity._infer_class_models())

    async def process_json(self, body: dict, auth_header: str, bot: ActivityHandler) -> web.Response:
        activity: Activity = self._ACTIVITY("Activity", body)
        try:
            invoke_response = await self.process_activity(auth_header, activity, bot.on_turn)
        except PermissionError as refused:
            raise web.HTTPUnauthorized() from refused
        if invoke_response:
            return web.json_response(data=serializer_helper(invoke_response.body), status=invoke_response.status)
        return web.Response(status=201)


class TeamsGateway:
    """The bot's connection to Teams, inbound and outbound."""

    def __init__(self, settings: Settings, dispatch: Dispatch) -> None:
        self._app_id = settings.app_id
        self._allowed_tenant = settings.app_tenant_id if settings.app_type.lower() == "singletenant" else ""
        auth = _Authentication(_AuthConfig.of(settings), self._allowed_tenant)
        self._adapter = _Adapter(ReusedConnections(auth))
        self._adapter.on_turn_error = self._on_turn_error
        self._handler = _Handler(dispatch, settings.app_id)

    async def process(self, request: web.Request) -> web.Response:
        if self._app_id and not request.headers.get("Authorization"):
            return web.json_response({"error": "a Bot Framework token is required"}, status=401)
        if "application/json" not in request.headers.get("Content-Type", ""):
            return web.json_response({"error": "expected an application/json activity"}, status=415)
        try:
            body = await request.json()
        except ValueError:
            return web.json_response({"error": "the activity is not valid JSON"}, status=400)
        if not isinstance(body, dict) or not body.get("type"):
            return web.json_response({"error": "expected an activity"}, status=400)
        _INBOUND.set(body)
        try:
            # The adapter checks the token (and the tenant, see _Authentication) before dispatching.
            response = await self._adapter.process_json(body, request.headers.get("Authorization", ""),
                                                        self._handler)
        except _OtherTenant as refused:
            log.warning("refused an activity from tenant %s: this bot serves tenant %s only",
                        refused.tenant_id, self._allowed_tenant)
            return web.json_response({"error": "this bot does not serve your organisation"}, status=403)
        except _AuthenticationUnavailable as error:
            log.error("could not fetch the Bot Framework signing keys: %s", error)
            return web.json_response({"error": "authentication is unavailable, try again later"}, status=503)
        return response or web.Response(status=201)

    async def close(self) -> None:
        """Close the outbound connections (the app's cleanup calls this)."""
        await self._adapter.bot_framework_authentication.close()

    async def _on_turn_error(self, context: TurnContext, error: Exception) -> None:
        log.exception("turn failed: %s", type(error).__name__, exc_info=error)
        if context.activity.type == ActivityTypes.message:
            try:
                await context.send_activity("Sorry, something went wrong on my side and nothing was changed. "
                                            "Please try again in a minute.")
            except Exception:  # noqa: BLE001 - the connector itself may be what failed
                log.warning("could not tell the user about the failure")

    async def _continue(self, reference: dict, callback: Callable[[TurnContext], Awaitable[None]], *,
                        posting: bool = False) -> None:
        """Run `callback` in a stored conversation; whatever fails reaches the caller as a DeliveryError.

        botbuilder hands a proactive callback's exception to on_turn_error and returns normally, which
        would make a refused send look delivered: the exception is kept here and raised after it.
        """
        failed: list[Exception] = []

        async def keeping_failure(context: TurnContext) -> None:
            try:
                await callback(context)
            except Exception as error:  # noqa: BLE001 - raised below, outside botbuilder's pipeline
                failed.append(error)

        try:
            await self._adapter.continue_conversation(
                ConversationReference().deserialize(reference), keeping_failure, bot_app_id=self._app_id or None)
        except Exception as error:  # noqa: BLE001 - e.g. no token for the connector
            failed.append(error)
        if failed:
            error = failed[0]
            if isinstance(error, DeliveryError):
                raise error
            raise _translate(error, posting=posting) from error

    async def send(self, reference: dict, message: Message) -> str:
        """Post into a stored conversation (a personal chat, or a reply in a channel thread)."""
        sent: dict = {}

        async def callback(context: TurnContext) -> None:
            sent["id"] = await TurnOutbox(context).send(message)

        await self._continue(reference, callback, posting=True)
        return sent.get("id") or ""

    async def update(self, reference: dict, activity_id: str, message: Message) -> None:
        async def callback(context: TurnContext) -> None:
            await TurnOutbox(context).update(activity_id, message)

        await self._continue(reference, callback)

    async def start_thread(self, team_reference: dict, channel_id: str, message: Message) -> Posted:
        """Post a card as a new thread in a team channel; returns where it lives, to update it later.

        The Bot Connector's create-conversation call, made as botbuilder's create_conversation makes it
        but without the turn it then runs (its models, their serialisation, a pipeline) for each post.
        """
        service_url = team_reference.get("serviceUrl") or ""
        tenant_id = (team_reference.get("conversation") or {}).get("tenantId")
        body = {"isGroup": True, "bot": team_reference.get("bot"), "activity": _content(message),
                "channelData": {"channel": {"id": channel_id}, **({"tenant": {"id": tenant_id}} if tenant_id else {})}}
        if tenant_id:
            body["tenantId"] = tenant_id
        claims = self._adapter.create_claims_identity(self._app_id or None)
        try:
            client = await self._adapter.bot_framework_authentication.create_connector_factory(claims).create(
                service_url, None)
        except Exception as error:  # noqa: BLE001
            raise _translate(error, posting=True) from error
        answer = await _send_json(client, "POST", f"{service_url.rstrip('/')}/v3/conversations", body, posting=True)
        conversation_id = str(answer.get("id") or "")
        activity_id = str(answer.get("activityId") or "") or conversation_id.rpartition(";messageid=")[2]
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

    async def members(self, reference: dict, conversation_id: str) -> list[tuple[str, str]]:
        """(aadObjectId, name) of a team's or group chat's members (TeamsInfo's paged members, asynchronously)."""
        found: list[tuple[str, str]] = []

        async def callback(context: TurnContext) -> None:
            client = context.turn_state[BotAdapter.BOT_CONNECTOR_CLIENT_KEY]._client
            base = (f"{context.activity.service_url.rstrip('/')}/v3/conversations/"
                    f"{quote(conversation_id, safe='')}/pagedmembers?pageSize=500")
            token = None
            for _ in range(50):  # 25,000 members at most
                url = base + (f"&continuationToken={quote(token, safe='')}" if token else "")
                response = await client.async_send(client.get(url))
                if response.status_code >= 400:
                    raise DeliveryError(f"listing members answered {response.status_code}", response.status_code)
                page = json.loads(response.text())
                for member in page.get("members", []):
                    if member.get("aadObjectId"):
                        found.append((member["aadObjectId"], member.get("name") or member["aadObjectId"]))
                token = page.get("continuationToken")
                if not token:
                    return

        await self._continue(reference, callback)
        return found
