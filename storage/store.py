"""The one object the bot holds for storage: a repository per concept over one engine."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.activities import SeenActivities
from storage.audit import AuditLog
from storage.card_messages import CardMessages
from storage.case_views import CaseViews
from storage.cases import Cases
from storage.census import Census
from storage.cnis_register import CnisRegister
from storage.conversations import Conversations
from storage.copp import Copp
from storage.deletion_returns import DeletionReturns
from storage.engine.db import create_engine, sessionmaker
from storage.expected_starters import ExpectedStarters
from storage.export_links import ExportLinks
from storage.handoffs import Handoffs
from storage.people import People
from storage.register import Register
from storage.reminders import Reminders
from storage.retention import Retention
from storage.schools import Schools
from storage.stats import Stats
from storage.term_dates import TermDatesSources


class Store:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        sessions = sessionmaker(engine)
        self.schools = Schools(sessions)
        self.people = People(sessions)
        self.cases = Cases(sessions)
        self.conversations = Conversations(sessions)
        self.seen = SeenActivities(sessions, self.people)
        self.audit = AuditLog(sessions)
        self.card_messages = CardMessages(sessions)
        self.case_views = CaseViews(sessions)
        self.retention = Retention(sessions)
        self.reminders = Reminders(sessions)
        self.term_dates = TermDatesSources(sessions)
        self.copp = Copp(sessions)
        self.stats = Stats(sessions)
        self.census = Census(sessions)
        self.register = Register(sessions)
        self.expected_starters = ExpectedStarters(sessions)
        self.handoffs = Handoffs(sessions)
        self.cnis_register = CnisRegister(sessions)
        self.deletion_returns = DeletionReturns(sessions)
        self.export_links = ExportLinks(sessions)

    @classmethod
    def from_url(cls, url: str, **engine_options) -> Store:
        return cls(create_engine(url, **engine_options))

    async def ping(self) -> None:
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def close(self) -> None:
        await self.engine.dispose()
