"""A local Bot Connector: the routes the bot calls, answered as Teams answers them.

Subclasses say what Teams would refuse (`refused`), how long it keeps the bot waiting (`stall`) and
what they keep of what was accepted (`received`, `created`); the base never parses a posted body, so
a benchmark pays nothing for it.
"""

from __future__ import annotations

import itertools
import json

from aiohttp import web


class BotConnector:
    def __init__(self) -> None:
        self.url = ""
        self.channels: dict[str, list[dict]] = {}
        self.members: dict[str, list[dict]] = {}
        self._ids = itertools.count(1)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v3/conversations", self._create_conversation)
        app.router.add_post("/v3/conversations/{conversation}/activities", self._activity)
        app.router.add_post("/v3/conversations/{conversation}/activities/{activity}", self._activity)
        app.router.add_put("/v3/conversations/{conversation}/activities/{activity}", self._activity)
        app.router.add_get("/v3/teams/{team}/conversations", self._team_channels)
        app.router.add_get("/v3/conversations/{conversation}/pagedmembers", self._members)
        return app

    def refused(self, request: web.Request, conversation_id: str) -> web.Response | None:
        """What Teams answers when it refuses a call to this conversation now; None to accept it."""
        return None

    async def stall(self, request: web.Request, conversation_id: str) -> None:
        """Wait before answering a call to this conversation, as a hung Bot Connector does; at once by default."""

    def received(self, method: str, conversation_id: str, activity_id: str, body: bytes) -> None:
        """An accepted post (a reply or a message) or PUT (an update); `body` as the bot sent it."""

    def created(self, conversation_id: str, activity_id: str, activity: dict) -> None:
        """An accepted new channel thread, `activity` its first message."""

    def _new_id(self) -> str:
        return f"m{next(self._ids)}"

    async def _activity(self, request: web.Request) -> web.Response:
        conversation_id = request.match_info["conversation"]
        body = await request.read()
        await self.stall(request, conversation_id)
        refused = self.refused(request, conversation_id)
        if refused is not None:
            return refused
        activity_id = request.match_info["activity"] if request.method == "PUT" else self._new_id()
        self.received(request.method, conversation_id, activity_id, body)
        return web.json_response({"id": activity_id})

    async def _create_conversation(self, request: web.Request) -> web.Response:
        body = json.loads(await request.read())
        channel_id = ((body.get("channelData") or {}).get("channel") or {}).get("id", "")
        await self.stall(request, channel_id)
        refused = self.refused(request, channel_id)
        if refused is not None:
            return refused
        activity_id = self._new_id()
        conversation_id = f"{channel_id};messageid={activity_id}"
        self.created(conversation_id, activity_id, body.get("activity") or {})
        return web.json_response({"id": conversation_id, "activityId": activity_id})

    async def _team_channels(self, request: web.Request) -> web.Response:
        team = request.match_info["team"]
        await self.stall(request, team)
        refused = self.refused(request, team)
        if refused is not None:
            return refused
        return web.json_response({"conversations": self.channels.get(team, [{"id": team, "name": None}])})

    async def _members(self, request: web.Request) -> web.Response:
        conversation_id = request.match_info["conversation"]
        await self.stall(request, conversation_id)
        refused = self.refused(request, conversation_id)
        if refused is not None:
            return refused
        return web.json_response({"members": self.members.get(conversation_id, [])})
