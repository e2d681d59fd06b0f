"""Activity ids already handled: Teams redelivers an activity it thinks went unanswered."""

from __future__ import annotations

from sqlalchemy import bindparam, delete, func, literal_column, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from storage.engine.db import engine_of, insert_for
from storage.engine.prepared import Prepared
from storage.engine.statements import Statements
from storage.models import SeenActivity
from storage.people import ROLES_OF, People, PersonRoles, person_roles, roles_beside
from storage.types import utcnow


class SeenActivities:
    def __init__(self, sessions: async_sessionmaker, people: People) -> None:
        self._sessions = sessions
        self._people = people
        self._sql = Statements(sessions)
        record = (insert_for(engine_of(sessions))(SeenActivity)
                  .values(activity_id=bindparam("activity_id"), seen_at=bindparam("seen_at"))
                  .on_conflict_do_nothing(index_elements=[SeenActivity.activity_id]))
        self._record = Prepared(record)
        # PostgreSQL: the id recorded in the statement that reads the sender's roles, one round trip a message.
        # SQLite has no INSERT inside a WITH: its two statements are calls in this process, on one connection.
        self._record_and_read = None
        if engine_of(sessions).dialect.name == "postgresql":
            recorded = record.returning(literal_column("1")).cte("recorded")
            self._record_and_read = Prepared(roles_beside(
                select(func.count().label("first_time")).select_from(recorded).subquery("arrival")))

    async def first_time(self, activity_id: str) -> bool:
        """Record the id; False when it was recorded before (a redelivery)."""
        return await self._sql.run(self._record, {"activity_id": activity_id, "seen_at": utcnow()}) == 1

    async def first_time_from(self, activity_id: str, aad_object_id: str) -> tuple[bool, PersonRoles]:
        """`first_time`, and the roles of the activity's sender as `People.roles_of` reads them, together."""
        if self._record_and_read is None:
            async with self._sql.prepared_connection() as connection:
                _, recorded = await connection.execute(self._record, {"activity_id": activity_id, "seen_at": utcnow()})
                rows, _ = await connection.execute(ROLES_OF, {"aad_object_id": aad_object_id})
            return recorded == 1, person_roles(aad_object_id, rows)
        rows = await self._sql.rows(self._record_and_read, {"activity_id": activity_id, "seen_at": utcnow(),
                                                            "aad_object_id": aad_object_id})
        return rows[0].first_time == 1, person_roles(aad_object_id, rows)

    async def forget(self, activity_id: str) -> None:
        """Handling failed: let a redelivery try again."""
        async with self._sessions.begin() as session:
            await session.execute(delete(SeenActivity).where(SeenActivity.activity_id == activity_id))
