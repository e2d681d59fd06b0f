"""A local Bot Connector: records what the bot sends, and can answer as Teams does when it refuses."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

from aiohttp import web


@dataclass
class Sent:
    method: str
    conversation_id: str
    activity_id: str
    body: dict
    at: float = 0.0

    @property
    def text(self) -> str:
        return self.body.get("text") or ""

    @property
    def cards(self) -> list[dict]:
        return [a["content"] for a in self.body.get("attachments") or []
                if a.get("contentType") == "application/vnd.microsoft.card.adaptive"]

    @property
    def card(self) -> dict:
        cards = self.cards
        assert len(cards) == 1, f"expected one card, got {len(cards)}: {self.text!r}"
        return cards[0]


@dataclass
class Connector:
    """Holds what was sent; `refuse` makes the next calls to a conversation fail with a status."""

    sent: list[Sent] = field(default_factory=list)
    channels: dict[str, list[dict]] = field(default_factory=dict)
    members: dict[str, list[dict]] = field(default_factory=dict)
    rules: list[Callable[[web.Request, str], web.Response | None]] = field(default_factory=list)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v3/conversations", self._create_conversation)
        app.router.add_post("/v3/conversations/{conversation}/activities", self._post)
        app.router.add_post("/v3/conversations/{conversation}/activities/{activity}", self._post)
        app.router.add_put("/v3/conversations/{conversation}/activities/{activity}", self._put)
        app.router.add_get("/v3/teams/{team}/conversations", self._team_channels)
        app.router.add_get("/v3/conversations/{conversation}/pagedmembers", self._members)
        return app

    def refuse(self, status: int, *, times: int = 1, retry_after: str | None = None,
               conversation: str | None = None, code: str = "Refused") -> None:
        left = {"n": times}

        def rule(request: web.Request, conversation_id: str) -> web.Response | None:
            if left["n"] <= 0 or (conversation and not conversation_id.startswith(conversation)):
                return None
            left["n"] -= 1
            headers = {"Retry-After": retry_after} if retry_after else {}
            return web.json_response({"error": {"code": code, "message": "refused by the test connector"}},
                                     status=status, headers=headers)

        self.rules.append(rule)

    def _refused(self, request: web.Request, conversation_id: str) -> web.Response | None:
        for rule in self.rules:
            response = rule(request, conversation_id)
            if response is not None:
                return response
        return None

    def _record(self, method: str, conversation_id: str, activity_id: str, body: dict) -> None:
        self.sent.append(Sent(method, conversation_id, activity_id, body, asyncio.get_running_loop().time()))
        self._changed.set()

    async def _post(self, request: web.Request) -> web.Response:
        conversation_id = request.match_info["conversation"]
        refused = self._refused(request, conversation_id)
        if refused is not None:
            return refused
        body = await request.json()
        activity_id = f"m{next(self._ids)}"
        self._record("POST", conversation_id, activity_id, body)
        return web.json_response({"id": activity_id})

    async def _put(self, request: web.Request) -> web.Response:
        conversation_id = request.match_info["conversation"]
        refused = self._refused(request, conversation_id)
        if refused is not None:
            return refused
        body = await request.json()
        self._record("PUT", conversation_id, request.match_info["activity"], body)
        return web.json_response({"id": request.match_info["activity"]})

    async def _create_conversation(self, request: web.Request) -> web.Response:
        body = await request.json()
        channel_id = ((body.get("channelData") or {}).get("channel") or {}).get("id", "")
        refused = self._refused(request, channel_id)
        if refused is not None:
            return refused
        activity_id = f"m{next(self._ids)}"
        conversation_id = f"{channel_id};messageid={activity_id}"
        self._record("POST", conversation_id, activity_id, body.get("activity") or {})
        return web.json_response({"id": conversation_id, "activityId": activity_id})

    async def _team_channels(self, request: web.Request) -> web.Response:
        team = request.match_info["team"]
        return web.json_response({"conversations": self.channels.get(team, [{"id": team, "name": None}])})

    async def _members(self, request: web.Request) -> web.Response:
        refused = self._refused(request, request.match_info["conversation"])
        if refused is not None:
            return refused
        return web.json_response({"members": self.members.get(request.match_info["conversation"], [])})

    # What the tests read

    def to(self, conversation_id: str) -> list[Sent]:
        return [s for s in self.sent if s.conversation_id.split(";")[0] == conversation_id.split(";")[0]]

    def since(self, mark: int) -> list[Sent]:
        return self.sent[mark:]

    def mark(self) -> int:
        return len(self.sent)

    async def wait_for(self, predicate: Callable[[Sent], bool], since: int = 0, timeout: float = 5.0) -> Sent:
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            for sent in self.sent[since:]:
                if predicate(sent):
                    return sent
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                raise AssertionError(f"nothing matching was sent; sent: {[card_text_of(s) for s in self.sent[since:]]}")
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), left)
            except TimeoutError:
                pass


def card_text(node) -> str:
    """Everything a person reads on a card (text, facts, input labels and values, button titles)."""
    parts: list[str] = []

    def walk(item) -> None:
        if isinstance(item, dict):
            kind = item.get("type", "")
            if kind == "TextBlock":
                parts.append(str(item.get("text", "")))
            elif kind == "Fact" or ("title" in item and "value" in item and kind == ""):
                parts.append(f"{item.get('title')}: {item.get('value')}")
            elif kind.startswith("Action."):
                parts.append(f"[{item.get('title', '')}]")
            elif kind.startswith("Input."):
                parts.append(f"{item.get('label', '')}={item.get('value', '')}")
                if item.get("errorMessage") and item.get("isRequired"):
                    pass
            for key, value in item.items():
                if key not in ("data",):
                    walk(value)
        elif isinstance(item, list):
            for element in item:
                walk(element)

    walk(node)
    return "\n".join(p for p in parts if p)


def card_text_of(sent: Sent) -> str:
    return sent.text + "\n" + "\n".join(card_text(c) for c in sent.cards)
