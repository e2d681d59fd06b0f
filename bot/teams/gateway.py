"""The gateway: the adapter that takes Teams' HTTP requests, checks them and runs the handler; the outbound sends."""

from __future__ import annotations

import asyncio
import logging

import orjson
from aiohttp import web
from botbuilder.core import ActivityHandler, TurnContext, serializer_helper
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity, ActivityTypes
from msrest.exceptions import DeserializationError
from msrest.serialization import Deserializer

from bot.config import Settings
from bot.sending.throttle import teams_faltered, turn_budget
from bot.teams.activity import read_activity
from bot.teams.auth import AuthConfig, AuthenticationUnavailable, OtherTenant, StrictAuthentication
from bot.teams.connector import ReusedConnections
from bot.teams.handler import Dispatch, Handler, stack_of
from bot.teams.outbox import TurnOutbox
from bot.teams.proactive import Proactive
from bot.teams.wire import INBOUND, envelope_problem
from bot.turn import Message

log = logging.getLogger(__name__)

# An activity is a message (Teams caps one at about 100 KB) or a card's submitted inputs (tens of KB at
# most) in an envelope of a few KB: 256 KB leaves room for all of them and refuses anything else unread.
MAX_BODY_BYTES = 256 * 1024
# Teams posts the body with the headers at once; a body still arriving after this is abandoned (408).
BODY_SECONDS = 5.0
# How long a refused request's unread body is drained before the connection closes.
LINGER_SECONDS = 1.0


def _closing(status: int, error: str) -> web.Response:
    response = web.json_response({"error": error}, status=status)
    response.force_close()
    return response


class _Adapter(CloudAdapter):
    """botbuilder's CloudAdapter, given the activity's JSON already parsed.

    CloudAdapter.process parses the body again and reads it with a msrest Deserializer it builds for
    every request from the schema's hundred model classes; one built once reads it the same way, and
    bot/teams/activity.py reads the usual shapes as it would, without it.
    """

    _ACTIVITY = Deserializer(Activity._infer_class_models())

    async def process_json(self, body: dict, auth_header: str, bot: ActivityHandler) -> web.Response:
        try:
            activity: Activity = read_activity(body, self._ACTIVITY)
        except DeserializationError as unreadable:  # its message quotes the values: only the type is logged
            log.warning("an activity botbuilder could not read was refused")
            raise web.HTTPBadRequest(text='{"error": "the activity could not be read"}',
                                     content_type="application/json") from unreadable
        try:
            invoke_response = await self.process_activity(auth_header, activity, bot.on_turn)
        except PermissionError as refused:
            raise web.HTTPUnauthorized() from refused
        if invoke_response:
            body = invoke_response.body
            return web.json_response(data=body if isinstance(body, dict) else serializer_helper(body),
                                     status=invoke_response.status)
        return web.Response(status=201)


_FAILED = "Sorry, something went wrong on my side and nothing was changed. Please try again in a minute."
_LOST = ("Sorry, Teams did not take my answer. If it does not appear within a minute, please try again: "
         "nothing will be recorded twice.")


class _RepliesLost(Exception):
    """The turn's replies did not reach Teams: the activity is answered as not handled."""


class TeamsGateway(Proactive):
    """The bot's connection to Teams, inbound and outbound."""

    def __init__(self, settings: Settings, dispatch: Dispatch) -> None:
        self._allowed_tenant = settings.app_tenant_id if settings.app_type.lower() == "singletenant" else ""
        auth = StrictAuthentication(AuthConfig.of(settings), self._allowed_tenant)
        super().__init__(_Adapter(ReusedConnections(auth)), settings.app_id)
        self._adapter.on_turn_error = self._on_turn_error
        self._handler = Handler(dispatch, settings.app_id)

    async def process(self, request: web.Request) -> web.Response:
        if self._app_id and not request.headers.get("Authorization"):
            return web.json_response({"error": "a Bot Framework token is required"}, status=401)
        if "application/json" not in request.headers.get("Content-Type", ""):
            return web.json_response({"error": "expected an application/json activity"}, status=415)
        if (request.content_length or 0) > MAX_BODY_BYTES:
            return _closing(413, f"an activity is at most {MAX_BODY_BYTES // 1024} KB")
        try:
            raw = await asyncio.wait_for(request.read(), BODY_SECONDS)
        except TimeoutError:
            return _closing(408, f"the activity did not arrive within {BODY_SECONDS:g} s")
        except web.HTTPRequestEntityTooLarge:
            return _closing(413, f"an activity is at most {MAX_BODY_BYTES // 1024} KB")
        try:
            body = orjson.loads(raw)
        except ValueError:
            return web.json_response({"error": "the activity is not valid JSON"}, status=400)
        if not isinstance(body, dict) or not body.get("type"):
            return web.json_response({"error": "expected an activity"}, status=400)
        problem = envelope_problem(body)
        if problem:
            return web.json_response({"error": f"the activity's {problem} is missing or not as Teams sends it"},
                                     status=400)
        INBOUND.set(body)
        try:
            # The adapter checks the token (and the tenant, see StrictAuthentication) before dispatching.
            with turn_budget():
                response = await self._adapter.process_json(body, request.headers.get("Authorization", ""),
                                                            self._handler)
        except _RepliesLost:
            # Not taken as handled, so that Teams delivers it again (see Deduplicate in bot/dispatch.py).
            return web.json_response({"error": "Teams did not take the replies; deliver the activity again"},
                                     status=503)
        except OtherTenant as refused:
            log.warning("refused an activity from tenant %s: this bot serves tenant %s only",
                        refused.tenant_id, self._allowed_tenant)
            return web.json_response({"error": "this bot does not serve your organisation"}, status=403)
        except AuthenticationUnavailable as error:
            log.error("could not fetch the Bot Framework signing keys: %s", error)
            return web.json_response({"error": "authentication is unavailable, try again later"}, status=503)
        return response or web.Response(status=201)

    async def close(self) -> None:
        """Close the outbound connections (the app's cleanup calls this)."""
        await self._adapter.bot_framework_authentication.close()

    async def _on_turn_error(self, context: TurnContext, error: Exception) -> None:
        lost = teams_faltered(error)
        if lost:  # Teams refused or did not answer, after retries: no traceback, it is not our fault
            log.warning("turn failed: the Bot Connector did not take a reply: %s", error)
        else:
            log.error("turn failed: %s\n%s", type(error).__name__, stack_of(error))
        if context.activity.type == ActivityTypes.message:
            try:
                await TurnOutbox(context).send(Message(text=_LOST if lost else _FAILED))
            except Exception:  # noqa: BLE001 - the connector itself may be what failed
                log.warning("could not tell the user about the failure")
        if lost:
            raise _RepliesLost() from error
