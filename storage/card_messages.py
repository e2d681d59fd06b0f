"""Cards posted about a case, so that a later change can update every copy in place."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, insert, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from storage.engine.prepared import Prepared
from storage.engine.statements import Statements
from storage.models import CardMessage
from storage.types import utcnow


@dataclass(frozen=True)
class PostedCard:
    case_id: int
    purpose: str
    conversation_id: str
    activity_id: str
    audience: str | None
    created_at: datetime | None = None


_ADD = Prepared(insert(CardMessage).values(**{name: bindparam(name) for name in (
    "case_id", "purpose", "conversation_id", "activity_id", "audience", "created_at")}))


class CardMessages:
    def __init__(self, sessions: async_sessionmaker) -> None:
        self._sessions = sessions
        self._sql = Statements(sessions)

    async def add(self, case_id: int, purpose: str, conversation_id: str, activity_id: str,
                  audience: str | None = None) -> None:
        await self._sql.run(_ADD, {"case_id": case_id, "purpose": purpose, "conversation_id": conversation_id,
                                   "activity_id": activity_id, "audience": audience, "created_at": utcnow()})

    async def latest(self, case_id: int, purposes: tuple[str, ...]) -> list[PostedCard]:
        """The newest card of each purpose in each conversation: older copies are left as they were."""
        newest = (select(func.max(CardMessage.id))
                  .where(CardMessage.case_id == case_id, CardMessage.purpose.in_(purposes))
                  .group_by(CardMessage.purpose, CardMessage.conversation_id))
        rows = await self._sql.rows(select(CardMessage).where(CardMessage.id.in_(newest)).order_by(CardMessage.id))
        return [_posted(r) for r in rows]

    async def posted(self, case_id: int, activity_id: str) -> PostedCard | None:
        """The card about this case posted as this activity (the newest, if the id was used twice)."""
        rows = await self._sql.rows(select(CardMessage)
                                    .where(CardMessage.case_id == case_id, CardMessage.activity_id == activity_id)
                                    .order_by(CardMessage.id.desc()).limit(1))
        return _posted(rows[0]) if rows else None


def _posted(row: CardMessage) -> PostedCard:
    return PostedCard(row.case_id, row.purpose, row.conversation_id, row.activity_id, row.audience, row.created_at)
