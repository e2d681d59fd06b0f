"""Activity ids already handled: Teams redelivers an activity it thinks went unanswered."""

from __future__ import annotations

from sqlalchemy import bindparam, delete
from sqlalchemy.ext.asyncio import async_sessionmaker

from storage.engine.db import engine_of, insert_for
from storage.engine.prepared import Prepared
from storage.engine.statements import Statements
from storage.models import SeenActivity
from storage.types import utcnow


class SeenActivities:
    def __init__(self, sessions: async_sessionmaker) -> None:
        self._sessions = sessions
        self._sql = Statements(sessions)
        self._record = Prepared(insert_for(engine_of(sessions))(SeenActivity)
                                .values(activity_id=bindparam("activity_id"), seen_at=bindparam("seen_at"))
                                .on_conflict_do_nothing(index_elements=[SeenActivity.activity_id]))

    async def first_time(self, activity_id: str) -> bool:
        """Record the id; False when it was recorded before (a redelivery)."""
        return await self._sql.run(self._record, {"activity_id": activity_id, "seen_at": utcnow()}) == 1

    async def forget(self, activity_id: str) -> None:
        """Handling failed: let a redelivery try again."""
        async with self._sessions.begin() as session:
            await session.execute(delete(SeenActivity).where(SeenActivity.activity_id == activity_id))
