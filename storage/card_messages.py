"""Cards posted about a case, so that a later change can update every copy in place; and what each said.

Each send and each update in place adds a row (an update's with the sent card's ids, purpose, audience and kind):
what a person read on it (cards/readable.py), for subject access, in the same one statement that kept the ids. Every
version is kept, not only the latest: a card updated in place no longer shows what it showed before, and a data
protection officer answering a subject access request wants what could have been shown, and when. The texts hold
nothing the case's history does not (every change is in it); they go with the case (storage/retention.py).
Never log them.
"""

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
    "case_id", "purpose", "conversation_id", "activity_id", "audience", "created_at", "conversation_kind", "text")}))
# A new version of the newest row kept for this case and activity, with the text it shows now: nothing when the
# activity is not a card kept about the case. One statement, as a send's.
_SENT = (select(func.max(CardMessage.id)).where(CardMessage.case_id == bindparam("case_id"),
                                               CardMessage.activity_id == bindparam("activity_id"))
         .scalar_subquery())
_COPIED = ("case_id", "purpose", "conversation_id", "activity_id", "audience", "conversation_kind")
_UPDATED = Prepared(insert(CardMessage).from_select(
    [*_COPIED, "created_at", "text"],
    select(*(getattr(CardMessage, name) for name in _COPIED),
           bindparam("created_at", type_=CardMessage.created_at.type), bindparam("text", type_=CardMessage.text.type))
    .where(CardMessage.id == _SENT)))


class CardMessages:
    def __init__(self, sessions: async_sessionmaker) -> None:
        self._sessions = sessions
        self._sql = Statements(sessions)

    async def add(self, case_id: int, purpose: str, conversation_id: str, activity_id: str,
                  audience: str | None = None, *, text: str | None, conversation_kind: str | None) -> None:
        """A card sent: its ids, and the text it shows (bot/sending/shown.py) in what kind of conversation."""
        await self._sql.run(_ADD, {"case_id": case_id, "purpose": purpose, "conversation_id": conversation_id,
                                   "activity_id": activity_id, "audience": audience, "created_at": utcnow(),
                                   "conversation_kind": conversation_kind, "text": text})

    async def updated(self, case_id: int, activity_id: str, text: str) -> None:
        """The card kept about the case as this activity now shows `text` (a card not kept: nothing)."""
        await self._sql.run(_UPDATED, {"case_id": case_id, "activity_id": activity_id, "created_at": utcnow(),
                                       "text": text})

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
