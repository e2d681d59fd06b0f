"""Bot Connector clients kept per service URL and shared by every turn and send, over one aiohttp session.

botbuilder's CloudAdapter builds a ConnectorClient (and a token client) for every turn and every
proactive send, each with its own msrest Configuration, and posts through `requests` in a thread
pool. Here the clients are built once per (service URL, app id, audience) and kept, their requests
go out on one aiohttp session, the bearer token is asked of MSAL off the event loop and reused while
it is fresh, and no user token client (OAuth sign-in, which this bot does not use) is built.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from urllib.request import getproxies

import aiohttp
import orjson
from botbuilder.schema import Activity
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import (
    AuthenticateRequestResult,
    BotFrameworkAuthentication,
    ClaimsIdentity,
    ConnectorFactory,
    UserTokenClient,
)
from msrest.pipeline import AsyncPipeline
from msrest.pipeline.universal import RawDeserializer

from bot.sending.errors import DeliveryError
from bot.sending.throttle import with_retries
from bot.teams.auth import BearerTokens, claimed_app_id, signs
from bot.teams.refusals import error_code, refusal, translate
from bot.teams.transport import AiohttpSender, Bearer, BodySerializer, call_limit


class JsonCalls:
    """A connector client's JSON calls, straight on the shared aiohttp session with its token.

    msrest's pipeline (a request object, four policies, a response wrapper) cost more CPU than the
    call itself over a kept-alive connection; these calls send the same headers.
    """

    def __init__(self, session: Callable[[], aiohttp.ClientSession], tokens: BearerTokens | None, config) -> None:
        self._session = session
        self._tokens = tokens
        self._headers = {**config.headers, "User-Agent": config.user_agent,
                         "Content-Type": "application/json; charset=utf-8", "Accept": "application/json"}

    async def send(self, method: str, url: str, body: dict, *, posting: bool) -> tuple[int, Mapping, str]:
        headers = self._headers
        if self._tokens is not None:
            headers = {**headers, "Authorization": f"Bearer {await self._tokens.get()}"}
        try:
            async with self._session().request(method, url, headers=headers, data=_json_bytes(body),
                                               timeout=call_limit()) as answer:
                return answer.status, answer.headers, await answer.text() if answer.status != 204 else ""
        except (aiohttp.ClientError, TimeoutError) as error:
            raise translate(error, posting=posting) from error


def _json_bytes(body: dict) -> bytes:
    try:
        return orjson.dumps(body)
    except TypeError:  # keys that are not text, integers past 64 bits: written as the json module writes them
        return json.dumps(body).encode()


async def send_json(client: ConnectorClient, method: str, url: str, body: dict, *, posting: bool) -> dict:
    """A Bot Connector call with a JSON body, signed as the connector client signs its own.

    Retried while Teams refuses it retryably (see bot.sending.throttle), inside the turn's time.
    """
    calls: JsonCalls | None = getattr(client, "cme_json", None)
    if calls is None:
        raise DeliveryError("this connector client was not made by ConnectorClients")

    async def once() -> dict:
        status, headers, text = await calls.send(method, url, body, posting=posting)
        if status >= 400:
            raise refusal(status, headers, error_code(text), posting=posting)
        try:
            return json.loads(text) if text else {}
        except ValueError:
            return {}

    return await with_retries(once)


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
        """The same client, sending through aiohttp with the token from BearerTokens, serialising faster."""
        config = client.config
        tokens = BearerTokens(config.credentials) if signs(config.credentials) else None
        config.pipeline = AsyncPipeline(
            [config.user_agent_policy, Bearer(tokens), RawDeserializer(), config.http_logger_policy],
            AiohttpSender(self.session, config))
        client.cme_json = JsonCalls(self.session, tokens, config)
        serializer = BodySerializer(client._serialize.dependencies)
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
    """`inner`'s inbound checks unchanged; outbound, its connector clients kept in ConnectorClients."""

    def __init__(self, inner: BotFrameworkAuthentication) -> None:
        self.inner = inner
        self.clients = ConnectorClients()

    def _factory(self, claims_identity: ClaimsIdentity, make: Callable[[], ConnectorFactory]) -> ConnectorFactory:
        return _ReusedConnectorFactory(self.clients, claimed_app_id(claims_identity), make)

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
        """None: botbuilder asks for one every turn, for OAuth sign-in cards, which this bot never sends."""
        return None

    def create_bot_framework_client(self):
        return self.inner.create_bot_framework_client()

    def get_originating_audience(self) -> str:
        return self.inner.get_originating_audience()

    async def authenticate_channel_request(self, auth_header: str) -> ClaimsIdentity:
        return await self.inner.authenticate_channel_request(auth_header)

    async def close(self) -> None:
        await self.clients.close()
