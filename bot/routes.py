"""Handlers registered by command word and card verb, each with who may use it."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from cme.roles import Role

Handler = Callable[..., Awaitable[dict | None]]
ANYWHERE, PERSONAL, CHANNEL = "anywhere", "personal", "channel"


@dataclass(frozen=True)
class Route:
    handler: Handler
    roles: frozenset[Role] | None
    description: str = ""
    usage: str = ""
    where: str = ANYWHERE

    def allows(self, roles: frozenset[Role]) -> bool:
        return self.roles is None or bool(self.roles & roles)


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower().rstrip(".!?"))


class Routes:
    def __init__(self) -> None:
        self.commands: dict[str, Route] = {}
        self.actions: dict[str, Route] = {}

    def command(self, *words: str, description: str, roles: set[Role] | None = None, usage: str = "",
                where: str = ANYWHERE) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            route = Route(handler, frozenset(roles) if roles else None, description, usage or words[0], where)
            for word in words:
                self.commands[normalise(word)] = route
            return handler
        return register

    def action(self, verb: str, *, roles: set[Role] | None = None) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.actions[verb] = Route(handler, frozenset(roles) if roles else None)
            return handler
        return register

    def match(self, text: str) -> tuple[Route, str] | None:
        """The command a message starts with (the longest that fits), and the rest of the message."""
        said = normalise(text)
        for word in sorted(self.commands, key=len, reverse=True):
            if said == word or said.startswith(word + " "):
                return self.commands[word], text.strip()[len(word):].strip()
        return None

    def listed_for(self, roles: frozenset[Role]) -> list[tuple[str, str]]:
        """(how to say it, what it does) for each command these roles may use, once each."""
        seen: list[Route] = []
        for route in self.commands.values():
            if route not in seen and route.description and route.allows(roles):
                seen.append(route)
        return [(route.usage, route.description) for route in seen]


ROUTES = Routes()
