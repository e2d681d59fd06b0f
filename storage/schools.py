"""Schools, their reminders channel, and the local authority's own settings."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from storage.audit import record_audit
from storage.engine.prepared import Prepared
from storage.engine.statements import Statements
from storage.models import School, Setting
from storage.types import utcnow

AUTHORITY_CHANNEL = "authority_reminders_channel_id"


@dataclass(frozen=True)
class SchoolInfo:
    id: int
    urn: str
    name: str
    authority: str
    reminders_channel_id: str | None


def _info(row: School) -> SchoolInfo:
    return SchoolInfo(row.id, row.urn, row.name, row.authority, row.reminders_channel_id)


_BY_ID = Prepared(select(School).where(School.id == bindparam("school_id")))


class Schools:
    def __init__(self, sessions: async_sessionmaker) -> None:
        self._sessions = sessions
        self._sql = Statements(sessions)

    async def add(self, urn: str, name: str, authority: str, *, actor: str,
                  reminders_channel_id: str | None = None) -> SchoolInfo:
        """Add a school, or update its name and authority when the URN is known already."""
        async with self._sessions.begin() as session:
            row = await session.scalar(select(School).where(School.urn == urn))
            if row is None:
                row = School(urn=urn, name=name, authority=authority, created_at=utcnow(),
                             reminders_channel_id=reminders_channel_id)
                session.add(row)
            else:
                row.name, row.authority = name, authority
                if reminders_channel_id:
                    row.reminders_channel_id = reminders_channel_id
            await session.flush()
            record_audit(session, actor, "school_saved", {"urn": urn, "name": name, "authority": authority})
            return _info(row)

    async def remove(self, urn: str, *, actor: str) -> bool:
        async with self._sessions.begin() as session:
            row = await session.scalar(select(School).where(School.urn == urn))
            if row is None:
                return False
            await session.delete(row)
            record_audit(session, actor, "school_removed", {"urn": urn})
            return True

    async def get(self, school_id: int) -> SchoolInfo | None:
        row = await self._sql.first(_BY_ID, {"school_id": school_id})
        return _info(row) if row else None

    async def by_urn(self, urn: str) -> SchoolInfo | None:
        row = await self._sql.first(select(School).where(School.urn == urn))
        return _info(row) if row else None

    async def of(self, school_ids: set[int]) -> dict[int, SchoolInfo]:
        """These schools by id (those that exist)."""
        if not school_ids:
            return {}
        if len(school_ids) == 1:
            school = await self.get(next(iter(school_ids)))
            return {school.id: school} if school else {}
        rows = await self._sql.rows(select(School).where(School.id.in_(sorted(school_ids))))
        return {row.id: _info(row) for row in rows}

    async def all(self) -> list[SchoolInfo]:
        return [_info(row) for row in await self._sql.rows(select(School).order_by(School.name))]

    async def set_reminders_channel(self, school_id: int, channel_id: str, *, actor: str) -> None:
        async with self._sessions.begin() as session:
            row = await session.get(School, school_id)
            row.reminders_channel_id = channel_id
            record_audit(session, actor, "reminders_channel_set", {"urn": row.urn, "channel_id": channel_id})

    async def authority_channel(self) -> str | None:
        return await self._sql.value(select(Setting.value).where(Setting.key == AUTHORITY_CHANNEL))

    async def set_authority_channel(self, channel_id: str, *, actor: str) -> None:
        async with self._sessions.begin() as session:
            row = await session.get(Setting, AUTHORITY_CHANNEL)
            if row is None:
                session.add(Setting(key=AUTHORITY_CHANNEL, value=channel_id))
            else:
                row.value = channel_id
            record_audit(session, actor, "reminders_channel_set", {"authority": True, "channel_id": channel_id})
