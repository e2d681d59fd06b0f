"""People keyed by their Teams aadObjectId, and the roles they hold."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Select, Subquery, bindparam, delete, func, join, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cme.roles import AUTHORITY_WIDE, Role
from storage.audit import record_audit
from storage.engine.prepared import Prepared
from storage.engine.statements import Statements
from storage.models import Authority, Person, RoleGrant, School
from storage.schools import SchoolInfo
from storage.types import utcnow


@dataclass(frozen=True)
class Grant:
    role: Role
    school_id: int | None = None
    school_name: str | None = None
    authority_id: int | None = None  # school staff: their school's; None: a deployment-wide administrator
    # The school as read with the roles (one statement a message): a report needs no second read of it.
    school: SchoolInfo | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class PersonRoles:
    aad_object_id: str
    name: str
    grants: tuple[Grant, ...]

    def has(self, role: Role, school_id: int | None = None) -> bool:
        return any(g.role is role and (school_id is None or g.school_id == school_id) for g in self.grants)

    def school_ids(self, role: Role = Role.SCHOOL_STAFF) -> list[int]:
        return [g.school_id for g in self.grants if g.role is role and g.school_id is not None]

    def authority_ids(self, roles: frozenset[Role] = AUTHORITY_WIDE) -> list[int]:
        """The authorities in which this person holds one of `roles` (by default: works every case of)."""
        return list(dict.fromkeys(g.authority_id for g in self.grants
                                  if g.role in roles and g.authority_id is not None))

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(g.role for g in self.grants)


_ROLE_COLUMNS = (Person.name, RoleGrant.role, RoleGrant.school_id, School.name,
                 func.coalesce(RoleGrant.authority_id, School.authority_id),
                 School.urn, School.reminders_channel_id, School.authority_id, Authority.name)
_HOLDERS = join(Person, RoleGrant, RoleGrant.person_id == Person.id)
_SENDER = Person.aad_object_id == bindparam("aad_object_id")


def _with_schools(query: Select) -> Select:
    return (query.outerjoin(School, School.id == RoleGrant.school_id)
            .outerjoin(Authority, Authority.id == School.authority_id).order_by(RoleGrant.id))


ROLES_OF = Prepared(_with_schools(select(*_ROLE_COLUMNS).select_from(_HOLDERS).where(_SENDER)))


def roles_beside(first: Subquery) -> Select:
    """The one row of `first`, with each role of the person `aad_object_id` (bound) after its columns, or alone
    (the roles' columns null) for someone with none: read in the same statement as whatever `first` does."""
    return _with_schools(select(*_ROLE_COLUMNS, *first.c).select_from(first.outerjoin(_HOLDERS, _SENDER)))


def person_roles(aad_object_id: str, rows: list) -> PersonRoles:
    """The roles read by `roles_of` or `roles_beside` (whose lone row for someone without a role holds none)."""
    rows = [row for row in rows if row[1] is not None]
    return PersonRoles(aad_object_id, rows[0][0] if rows else "", tuple(_grant(row) for row in rows))


class People:
    def __init__(self, sessions: async_sessionmaker) -> None:
        self._sessions = sessions
        self._sql = Statements(sessions)

    async def grant(self, aad_object_id: str, role: Role, *, actor: str, name: str = "",
                    school_id: int | None = None, authority_id: int | None = None) -> bool:
        """Give a role (school staff at a school; officers and referrers in an authority; an administrator in
        one authority or, with none, deployment-wide); False when the person had it already. An officer's or
        referrer's authority may go unsaid while there is only one."""
        if role.needs_school and school_id is None:
            raise ValueError(f"The role '{role.label}' needs a school.")
        if not role.needs_school:
            school_id = None
        if role is Role.SCHOOL_STAFF:
            authority_id = None  # the school's
        async with self._sessions.begin() as session:
            if role.needs_authority and authority_id is None:
                only = (await session.scalars(select(Authority.id).limit(2))).all()
                if len(only) != 1:
                    raise ValueError(f"The role '{role.label}' is given in a local authority: say which.")
                authority_id = only[0]
            person = await _person(session, aad_object_id, name)
            exists = await session.scalar(select(RoleGrant.id).where(
                RoleGrant.person_id == person.id, RoleGrant.role == role.value, _same(RoleGrant.school_id, school_id),
                _same(RoleGrant.authority_id, authority_id)))
            if exists:
                return False
            session.add(RoleGrant(person_id=person.id, role=role.value, school_id=school_id,
                                  authority_id=authority_id, granted_by=actor, granted_at=utcnow()))
            record_audit(session, actor, "role_granted", {"aad_object_id": aad_object_id, "role": role.value,
                                                          "school_id": school_id, "authority_id": authority_id})
            return True

    async def revoke(self, aad_object_id: str, role: Role, *, actor: str, school_id: int | None = None,
                     authority_id: int | None = None) -> bool:
        async with self._sessions.begin() as session:
            person = await session.scalar(select(Person).where(Person.aad_object_id == aad_object_id))
            if person is None:
                return False
            query = delete(RoleGrant).where(RoleGrant.person_id == person.id, RoleGrant.role == role.value)
            if school_id is not None:
                query = query.where(RoleGrant.school_id == school_id)
            if authority_id is not None:
                query = query.where(RoleGrant.authority_id == authority_id)
            result = await session.execute(query)
            if result.rowcount:
                record_audit(session, actor, "role_revoked", {"aad_object_id": aad_object_id, "role": role.value,
                                                              "school_id": school_id, "authority_id": authority_id})
            return bool(result.rowcount)

    async def roles_of(self, aad_object_id: str) -> PersonRoles:
        return person_roles(aad_object_id, await self._sql.rows(ROLES_OF, {"aad_object_id": aad_object_id}))

    async def with_role(self, role: Role, school_id: int | None = None,
                        authority_id: int | None = None) -> list[PersonRoles]:
        """Who holds `role` (at that school; in that authority: officers of it, staff of its schools, and
        administrators of it or of the whole deployment)."""
        query = (select(Person.aad_object_id).join(RoleGrant, RoleGrant.person_id == Person.id)
                 .outerjoin(School, School.id == RoleGrant.school_id).where(RoleGrant.role == role.value))
        if school_id is not None:
            query = query.where(RoleGrant.school_id == school_id)
        if authority_id is not None:
            query = query.where(or_(RoleGrant.authority_id == authority_id, School.authority_id == authority_id,
                                    (RoleGrant.role == Role.ADMIN.value) & RoleGrant.authority_id.is_(None)))
        ids = list(dict.fromkeys(await self._sql.values(query.order_by(Person.name))))
        return [await self.roles_of(aad) for aad in ids]

    async def everyone(self) -> list[PersonRoles]:
        ids = await self._sql.values(select(Person.aad_object_id).order_by(Person.name))
        return [await self.roles_of(aad) for aad in ids]


def _grant(row) -> Grant:
    _, role, school_id, school_name, authority_id, urn, channel_id, school_authority_id, authority_name, *_ = row
    school = None if school_id is None else SchoolInfo(school_id, urn, school_name, authority_name or "", channel_id,
                                                       school_authority_id)
    return Grant(Role(role), school_id, school_name, authority_id, school)


def _same(column, value):
    return column.is_(None) if value is None else column == value


async def _person(session: AsyncSession, aad_object_id: str, name: str) -> Person:
    person = await session.scalar(select(Person).where(Person.aad_object_id == aad_object_id))
    if person is None:
        person = Person(aad_object_id=aad_object_id, name=name, created_at=utcnow())
        session.add(person)
        await session.flush()
    elif name and not person.name:
        person.name = name
    return person
