"""The connector clients' msrest pipeline on aiohttp: the sender (timeouts, retries), the bearer policy, a lighter
body serializer."""

from __future__ import annotations

from collections.abc import Callable

import aiohttp
from msrest.exceptions import ClientRequestError
from msrest.pipeline import AsyncHTTPPolicy, AsyncHTTPSender
from msrest.pipeline import Request as PipelineRequest
from msrest.pipeline import Response as PipelineResponse
from msrest.serialization import Serializer
from msrest.universal_http import ClientRequest
from msrest.universal_http.async_abc import AsyncClientResponse

from bot.sending.errors import RETRYABLE, Throttled
from bot.sending.throttle import call_timeout, with_retries
from bot.teams.auth import BearerTokens
from bot.teams.refusals import retry_after


def call_limit() -> aiohttp.ClientTimeout:
    """One Bot Connector call's time (see bot.sending.throttle.call_timeout), to the millisecond.

    aiohttp rounds a timeout of 5 s or more up to the next whole second, unless told otherwise.
    """
    return aiohttp.ClientTimeout(total=call_timeout(), ceil_threshold=3600)


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


class _Refused(Throttled):
    """A retryable answer on its way through with_retries, kept to hand to msrest if the retries run out."""

    def __init__(self, response: PipelineResponse) -> None:
        answer = response.http_response
        super().__init__(str(answer.status_code), answer.status_code, retry_after(answer.headers))
        self.response = response


class AiohttpSender(AsyncHTTPSender):
    """msrest's last step, sending on the shared aiohttp session instead of `requests` in a thread."""

    def __init__(self, session: Callable[[], aiohttp.ClientSession], config) -> None:
        self._session = session
        self._config = config

    async def __aenter__(self) -> AiohttpSender:
        return self

    async def __aexit__(self, *exc_details) -> None:
        return None

    async def send(self, request: PipelineRequest, **config) -> PipelineResponse:
        """The answer, after retries (see bot.sending.throttle) while Teams refuses retryably."""
        http = request.http_request
        if http.files:
            raise ClientRequestError("file uploads are not supported by this transport")
        headers = {**self._config.headers, **http.headers}
        headers = {k: v for k, v in headers.items() if k.lower() != "content-length"}  # aiohttp counts them
        data = http.data.encode() if isinstance(http.data, str) else http.data

        async def once() -> PipelineResponse:
            try:
                async with self._session().request(http.method, http.url, headers=headers, data=data,
                                                   timeout=call_limit()) as answer:
                    body = await answer.read()
            except (aiohttp.ClientError, TimeoutError) as error:
                raise ClientRequestError(f"Error occurred in request. {type(error).__name__}: {error}") from error
            response = PipelineResponse(request, _AiohttpAnswer(http, answer, body))
            if answer.status in RETRYABLE:
                raise _Refused(response)
            return response

        try:
            return await with_retries(once)
        except _Refused as refused:
            return refused.response  # msrest makes its own error of the last refusal


class Bearer(AsyncHTTPPolicy):
    """Signs each request as the app, as botbuilder's credentials do; nothing without an app id."""

    def __init__(self, tokens: BearerTokens | None) -> None:
        super().__init__()
        self._tokens = tokens

    async def send(self, request: PipelineRequest, **kwargs) -> PipelineResponse:
        if self._tokens is not None:
            request.http_request.headers["Authorization"] = f"Bearer {await self._tokens.get()}"
        return await self.next.send(request, **kwargs)


JSON_SCALARS = frozenset((str, int, float, bool, type(None)))  # JSON's own types that hold no others


def _plain_json(value) -> bool:
    """Whether a value is made of JSON's own types only (a card, as cards/ builds them)."""
    kind = type(value)
    if kind is dict:
        return all(type(key) is str and _plain_json(item) for key, item in value.items())
    if kind is list:
        return all(_plain_json(item) for item in value)
    return kind in JSON_SCALARS


class BodySerializer(Serializer):
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
