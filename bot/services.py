"""What every handler may use: settings, storage, calendars and the outbound connection to Teams."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

from bot.calendars import Calendars
from bot.config import Settings
from bot.turn import Message, Posted
from storage.store import Store


class Messenger(Protocol):
    """Proactive messages: into a stored conversation, as a new channel thread, or an update in place."""

    async def send(self, reference: dict, message: Message) -> str: ...

    async def update(self, reference: dict, activity_id: str, message: Message) -> None: ...

    async def start_thread(self, team_reference: dict, channel_id: str, message: Message) -> Posted: ...

    async def team_channels(self, team_reference: dict, team_id: str) -> list[tuple[str, str]]: ...

    async def members(self, reference: dict, conversation_id: str) -> list[tuple[str, str]]: ...


@dataclass
class Services:
    settings: Settings
    store: Store
    calendars: Calendars
    messenger: Messenger | None = None

    def today(self) -> date:
        return self.settings.local_today()
