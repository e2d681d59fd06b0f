"""What the bot hears and says, in its own words: handlers never see a botbuilder object."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from cme.case import Case
    from storage.people import PersonRoles


class TurnKind(StrEnum):
    MESSAGE = "message"  # text said to the bot
    SUBMIT = "submit"  # an Action.Submit: a message whose value carries the verb
    ACTION = "action"  # an Action.Execute (invoke): answered with a card for the clicker
    INSTALLED = "installed"
    UNINSTALLED = "uninstalled"


# The names bot/teams/ uses for the kinds.
MESSAGE, SUBMIT, ACTION = TurnKind.MESSAGE, TurnKind.SUBMIT, TurnKind.ACTION
INSTALLED, UNINSTALLED = TurnKind.INSTALLED, TurnKind.UNINSTALLED


@dataclass(frozen=True)
class Sender:
    aad_object_id: str
    name: str


@dataclass(frozen=True)
class Turn:
    kind: TurnKind
    sender: Sender
    conversation_id: str
    conversation_kind: str
    reference: dict
    activity_id: str | None = None
    text: str = ""
    verb: str = ""
    data: dict = field(default_factory=dict)
    reply_to_id: str | None = None
    tenant_id: str | None = None
    team_id: str | None = None
    channel_id: str | None = None

    @property
    def in_personal_chat(self) -> bool:
        return self.conversation_kind == "personal"

    @property
    def in_channel(self) -> bool:
        return self.conversation_kind == "channel"


@dataclass(frozen=True)
class Message:
    text: str | None = None
    card: dict | None = None
    summary: str | None = None


@dataclass(frozen=True, kw_only=True)
class PupilMessage(Message):
    """A message carrying a pupil's details: a case card, a case list, a form's typed values.

    Every way out (bot/privacy.py) refuses it anywhere but the personal chat of `reader`, who must have
    a role on each of `cases` (a form holds what the reader typed, before there is a case).
    """

    reader: PersonRoles
    cases: tuple[Case, ...] = ()


@dataclass(frozen=True)
class Posted:
    conversation_id: str
    activity_id: str
    text: str | None = None  # what a person reads on it (bot/sending/shown.py), kept for subject access
    conversation_kind: str | None = None


class Outbox(Protocol):
    """Replies within the conversation a turn came from."""

    async def send(self, message: Message) -> str | None: ...

    async def update(self, activity_id: str, message: Message) -> None: ...
