"""The table from command words and card verbs to handlers, each with who may use it and where."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum

from cme.roles import Role

Handler = Callable[..., Awaitable[dict | None]]


class Place(StrEnum):
    """Where a command or card verb may be used, and so where its answer goes: every route says which."""

    ANYWHERE = "anywhere"  # shows no child's details
    PERSONAL = "personal"  # anything showing a child: personal chat only
    CHANNEL = "channel"  # a team channel, answered with nameless cards
    PERSONAL_OR_CHANNEL = "personal or channel"  # a card posted to both, e.g. the removal decision's


@dataclass(frozen=True)
class Route:
    handler: Handler
    roles: frozenset[Role] | None
    where: Place
    description: str = ""
    usage: str = ""

    def allows(self, roles: frozenset[Role]) -> bool:
        return self.roles is None or bool(self.roles & roles)


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower().rstrip(".!?"))


class Routes:
    def __init__(self) -> None:
        self.commands: dict[str, Route] = {}
        self.actions: dict[str, Route] = {}

    def command(self, *words: str, where: Place, description: str, roles: frozenset[Role] | set[Role] | None = None,
                usage: str = "") -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            route = Route(handler, frozenset(roles) if roles else None, Place(where), description, usage or words[0])
            for word in words:
                self.commands[normalise(word)] = route
            return handler
        return register

    def action(self, *verbs: str, where: Place,
               roles: frozenset[Role] | set[Role] | None = None) -> Callable[[Handler], Handler]:
        """Card verbs: a forged client can send any verb from any conversation, so each says where it answers."""
        def register(handler: Handler) -> Handler:
            for verb in verbs:
                self.actions[verb] = Route(handler, frozenset(roles) if roles else None, Place(where))
            return handler
        return register

    def include(self, other: Routes) -> Routes:
        """Add another table's routes; a word or verb registered twice is a mistake."""
        for mine, theirs in ((self.commands, other.commands), (self.actions, other.actions)):
            twice = mine.keys() & theirs.keys()
            if twice:
                raise ValueError(f"registered twice: {sorted(twice)}")
            mine.update(theirs)
        return self

    def match(self, text: str) -> tuple[Route, str] | None:
        """The command a message starts with (the longest that fits), and the rest of the message."""
        said = normalise(text)
        for word in sorted(self.commands, key=len, reverse=True):
            if said == word or said.startswith(word + " "):
                return self.commands[word], text.strip()[len(word):].strip()
        return None

    def allows_command(self, word: str, roles: frozenset[Role]) -> bool:
        return word in self.commands and self.commands[word].allows(roles)

    def listed_for(self, roles: frozenset[Role]) -> list[tuple[str, str]]:
        """(how to say it, what it does) for each command these roles may use, once each."""
        seen: list[Route] = []
        for route in self.commands.values():
            if route not in seen and route.description and route.allows(roles):
                seen.append(route)
        return [(route.usage, route.description) for route in seen]
