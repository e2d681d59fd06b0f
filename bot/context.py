"""One turn as a handler sees it: who, where, what was said, and how to answer."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.card_data import CardData
from bot.routes import Routes
from bot.services import Services
from bot.turn import Message, Outbox, Turn
from storage.cases import Actor
from storage.people import PersonRoles


@dataclass
class Context:
    turn: Turn
    outbox: Outbox
    services: Services
    person: PersonRoles
    args: str = ""
    routes: Routes = field(default_factory=Routes)  # every route, for `help`

    @property
    def store(self):
        return self.services.store

    @property
    def card(self) -> CardData:
        """The card's data, read field by field (never `turn.data` directly)."""
        return CardData(self.turn.data, self.turn.verb)

    @property
    def actor(self) -> Actor:
        return Actor(self.turn.sender.aad_object_id, self.turn.sender.name or self.person.name)

    @property
    def first_name(self) -> str:
        return (self.turn.sender.name or self.person.name or "").split(" ")[0]

    async def reply(self, text: str | None = None, card: dict | None = None) -> str | None:
        return await self.outbox.send(Message(text=text, card=card))
