"""A local Bot Connector: records what the bot sends, and can answer as Teams does when it refuses."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web

from fakes.connector import BotConnector


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


class Connector(BotConnector):
    """Holds what was sent; `refuse` makes the next calls to a conversation fail with a status, `hang` unanswered."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[Sent] = []
        self.rules: list[Callable[[web.Request, str], web.Response | None]] = []
        self._changed = asyncio.Event()
        self._hanging: set[str] = set()
        self._released = asyncio.Event()
        self.hung = 0  # calls that got no answer

    def refuse(self, status: int, *, times: int = 1, retry_after: str | None = None,
               conversation: str | None = None, code: str = "Refused", method: str | None = None) -> None:
        left = {"n": times}

        def rule(request: web.Request, conversation_id: str) -> web.Response | None:
            if left["n"] <= 0 or (conversation and not conversation_id.startswith(conversation)) \
                    or (method and request.method != method):
                return None
            left["n"] -= 1
            headers = {"Retry-After": retry_after} if retry_after else {}
            return web.json_response({"error": {"code": code, "message": "refused by the test connector"}},
                                     status=status, headers=headers)

        self.rules.append(rule)

    def hang(self, *, conversation: str) -> None:
        """Calls to a conversation get no answer, as from a hung Bot Connector, until `heal`."""
        self._hanging.add(conversation)

    def heal(self) -> None:
        """Calls are answered again; those that hung stay unanswered until the end of the test."""
        self._hanging.clear()

    def release(self) -> None:
        self._hanging.clear()
        self._released.set()

    async def stall(self, request: web.Request, conversation_id: str) -> None:
        if any(conversation_id.startswith(conversation) for conversation in self._hanging):
            self.hung += 1
            await self._released.wait()

    def refused(self, request: web.Request, conversation_id: str) -> web.Response | None:
        for rule in self.rules:
            response = rule(request, conversation_id)
            if response is not None:
                return response
        return None

    def received(self, method: str, conversation_id: str, activity_id: str, body: bytes) -> None:
        self._record(method, conversation_id, activity_id, json.loads(body))

    def created(self, conversation_id: str, activity_id: str, activity: dict) -> None:
        self._record("POST", conversation_id, activity_id, activity)

    def _record(self, method: str, conversation_id: str, activity_id: str, body: dict) -> None:
        self.sent.append(Sent(method, conversation_id, activity_id, body, asyncio.get_running_loop().time()))
        self._changed.set()

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
