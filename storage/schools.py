"""Local authorities and their channel; schools, each in one authority, and their reminders channel."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from storage.audit import record_audit
from storage.engine.prepared import Prepared
from storage.engine.statements import Statements
from storage.models import Authority, School
from storage.types import utcnow


class WhichAuthority(ValueError):
    """An authority was needed and could not be told: none exists, several do, or the name is unknown."""


@dataclass(frozen=True)
class AuthorityInfo:
    id: int
    name: str
    channel_id: str | None


@dataclass(frozen=True)
class SchoolInfo:
    id: int
    urn: str
    name: str
    authority: str  # its authority's name
    reminders_channel_id: str | None
    authority_id: int | None = None


def _info(row) -> SchoolInfo:
    return SchoolInfo(row.id, row.urn, row.name, row.authority_name or "", row.reminders_channel_id, row.authority_id)


_SCHOOLS = (select(School.id, School.urn, School.name, School.reminders_channel_id, School.authority_id,
                   Authority.name.label("authority_name"))
            .outerjoin(Authority, Authority.id == School.authority_id))
_BY_ID = Prepared(_SCHOOLS.where(School.id == bindparam("school_id")))
_CHANNEL_OF = Prepared(select(Authority.channel_id).where(Authority.id == bindparam("authority_id")))


class Schools:
    def __init__(self, sessions: async_sessionmaker) -> None:
        self._sessions = sessions
        self._sql = Statements(sessions)

    async def add_authority(self, name: str, *, actor: str, channel_id: str | None = None) -> AuthorityInfo:
        """The authority of that name, added if new; its channel set when one is given."""
        name = name.strip()[:200]
        if not name:
            raise WhichAuthority("An authority needs a name.")
        async with self._sessions.begin() as session:
            row = await session.scalar(select(Authority).where(Authority.name == name))
            if row is None:
                row = Authority(name=name, channel_id=channel_id, created_at=utcnow())
                session.add(row)
                await session.flush()
                record_audit(session, actor, "authority_added", {"authority_id": row.id, "name": name})
            elif channel_id and row.channel_id != channel_id:
                row.channel_id = channel_id
                record_audit(session, actor, "reminders_channel_set",
                             {"authority_id": row.id, "channel_id": channel_id})
            return AuthorityInfo(row.id, row.name, row.channel_id)

    async def authorities(self) -> list[AuthorityInfo]:
        rows = await self._sql.rows(select(Authority).order_by(Authority.name))
        return [AuthorityInfo(row.id, row.name, row.channel_id) for row in rows]

    async def authority(self, which: str | int | None = None) -> AuthorityInfo:
        """An authority by id or name; with neither, the only one there is. WhichAuthority when it cannot tell."""
        authorities = await self.authorities()
        if which is None or which == "":
            if len(authorities) == 1:
                return authorities[0]
            raise WhichAuthority("There is no local authority yet: add a school with its authority first."
                                 if not authorities else "Say which local authority: " +
                                 ", ".join(a.name for a in authorities) + ".")
        for authority in authorities:
            if authority.id == which or authority.name.casefold() == str(which).strip().casefold():
                return authority
        raise WhichAuthority("There is no such local authority: " + ", ".join(a.name for a in authorities) + ".")

    async def add(self, urn: str, name: str, authority: str, *, actor: str,
                  reminders_channel_id: str | None = None) -> SchoolInfo:
        """Add a school, or update its name and authority when the URN is known already; the authority
        (by name) is added if new."""
        authority_id = (await self.add_authority(authority, actor=actor)).id
        async with self._sessions.begin() as session:
            row = await session.scalar(select(School).where(School.urn == urn))
            if row is None:
                row = School(urn=urn, name=name, authority_id=authority_id, created_at=utcnow(),
                             reminders_channel_id=reminders_channel_id)
                session.add(row)
            else:
                row.name, row.authority_id = name, authority_id
                if reminders_channel_id:
                    row.reminders_channel_id = reminders_channel_id
            await session.flush()
            record_audit(session, actor, "school_saved", {"urn": urn, "name": name, "authority_id": authority_id})
        return await self.get(row.id)

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
        row = await self._sql.first(_SCHOOLS.where(School.urn == urn))
        return _info(row) if row else None

    async def of(self, school_ids: set[int]) -> dict[int, SchoolInfo]:
        """These schools by id (those that exist)."""
        if not school_ids:
            return {}
        if len(school_ids) == 1:
            school = await self.get(next(iter(school_ids)))
            return {school.id: school} if school else {}
        rows = await self._sql.rows(_SCHOOLS.where(School.id.in_(sorted(school_ids))))
        return {info.id: info for info in map(_info, rows)}

    async def all(self, authority_id: int | None = None) -> list[SchoolInfo]:
        """Every school, or those of one authority."""
        query = _SCHOOLS if authority_id is None else _SCHOOLS.where(School.authority_id == authority_id)
        return [_info(row) for row in await self._sql.rows(query.order_by(School.name))]

    async def set_reminders_channel(self, school_id: int, channel_id: str, *, actor: str) -> None:
        async with self._sessions.begin() as session:
            row = await session.get(School, school_id)
            row.reminders_channel_id = channel_id
            record_audit(session, actor, "reminders_channel_set", {"urn": row.urn, "channel_id": channel_id})

    async def authority_channel(self, authority_id: int | None = None) -> str | None:
        """The channel of that authority, for lines naming no child; with no id, the only authority's (None
        when there are several: nobody of one authority may be sent another's lines)."""
        if authority_id is None:
            authorities = await self.authorities()
            return authorities[0].channel_id if len(authorities) == 1 else None
        return await self._sql.value(_CHANNEL_OF, {"authority_id": authority_id})

    async def set_authority_channel(self, channel_id: str, *, actor: str, authority_id: int | None = None) -> None:
        """Make `channel_id` the channel of that authority (with no id, of the only one)."""
        authority_id = authority_id or (await self.authority()).id
        async with self._sessions.begin() as session:
            row = await session.get(Authority, authority_id)
            row.channel_id = channel_id
            record_audit(session, actor, "reminders_channel_set", {"authority_id": authority_id,
                                                                    "channel_id": channel_id})
