"""Cases, their append-only history and their milestones, always written together in one transaction (or, for a
new case on PostgreSQL, one statement)."""

from __future__ import annotations

import functools
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import Enum

from sqlalchemy import (
    Date,
    Select,
    String,
    bindparam,
    delete,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cme.case import Case
from cme.deadlines import Deadline, Due, done_on, kind_of
from cme.lifecycle import State
from cme.milestones import Milestone
from cme.paging import COUNTED
from cme.reference import format_reference
from storage.engine.db import engine_of, insert_for
from storage.engine.prepared import Prepared
from storage.engine.statements import Statements
from storage.mapping import case_from_row, row_values
from storage.models import CaseEvent, CaseRow, Counter, MilestoneRow, School
from storage.types import utcnow

# Another table's rows a step writes with the case (session, case id), in its transaction.
Also = Callable[[AsyncSession, int], Awaitable[None]]
OFFICER_STATES = (State.CME_REFERRAL, State.REMOVAL_REQUESTED, State.REMOVAL_AGREED, State.REMOVAL_DECLINED)


@dataclass(frozen=True)
class Actor:
    aad_object_id: str
    name: str


@dataclass(frozen=True)
class NewEvent:
    kind: str
    data: dict
    actor: Actor
    key: str | None = None


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    actor_name: str
    actor_aad_object_id: str
    kind: str
    data: dict


@dataclass(frozen=True)
class Written:
    """A new case's first history entry and its milestones as `Cases.history` and `Cases.milestones` read them back:
    the turn that created the case holds them already."""
    history: list[HistoryEntry]
    milestones: dict[Due, tuple[date, date | None]]

    @classmethod
    def with_new_case(cls, case: Case, event: NewEvent, milestones: dict[Due, date]) -> Written:
        """`case` as `Cases.create` returned it (created); `event` and `milestones` as given to it."""
        data = json.loads(json.dumps(event.data))  # as the JSON column gives it back
        entry = HistoryEntry(case.created_at, event.actor.name, event.actor.aad_object_id, event.kind, data)
        return cls([entry], {kind_of(row["milestone"]): (row["due_on"], row["done_on"])
                             for row in _milestone_values(case.id, case, milestones)})


class Recorded(Enum):
    DONE = "done"
    ALREADY_DONE = "already_done"
    CONFLICT = "conflict"


class _Stale(Exception):
    pass


_HISTORY = Prepared(select(CaseEvent).where(CaseEvent.case_id == bindparam("case_id"))
                    .order_by(CaseEvent.at, CaseEvent.id))
_BY_SUBMISSION = Prepared(select(CaseRow).where(CaseRow.submission_key == bindparam("key")))
_BY_REFERENCE = Prepared(select(CaseRow).where(CaseRow.reference == bindparam("reference")))
_BY_ID = Prepared(select(CaseRow).where(CaseRow.id == bindparam("case_id")))
_MILESTONES = Prepared(select(MilestoneRow).where(MilestoneRow.case_id == bindparam("case_id")))
_INSERT_CASE = Prepared(insert(CaseRow).values(
    {column.name: bindparam(column.name) for column in CaseRow.__table__.columns if column.name not in ("id", "closed_at")}
).returning(CaseRow.id))
_INSERT_EVENT = Prepared(insert(CaseEvent).values(
    {column.name: bindparam(column.name) for column in CaseEvent.__table__.columns if column.name != "id"}))
_MILESTONE_COLUMNS = [column.name for column in MilestoneRow.__table__.columns]
_EVENT_COLUMNS = [column.name for column in CaseEvent.__table__.columns if column.name not in ("id", "case_id")]


def _insert_all_in_one_statement() -> Prepared:
    """PostgreSQL: the three inserts of a new case in one statement (atomic, as a transaction is), whose
    statements in WITH write the case, its first history entry and its milestones (as arrays, unnested): one
    round trip instead of five (BEGIN, three inserts, COMMIT). The milestones' triggers run after all three."""
    new_case = _INSERT_CASE.statement.cte("new_case")
    event = insert(CaseEvent).from_select(
        ["case_id", *_EVENT_COLUMNS],
        select(new_case.c.id, *(bindparam(f"event_{name}", type_=CaseEvent.__table__.c[name].type)
                                for name in _EVENT_COLUMNS))).cte("new_event")
    each = (func.unnest(bindparam("milestones", type_=postgresql.ARRAY(String)),
                        bindparam("due_ons", type_=postgresql.ARRAY(Date)),
                        bindparam("done_ons", type_=postgresql.ARRAY(Date)))
            .table_valued("milestone", "due_on", "done_on").render_derived())
    milestones = insert(MilestoneRow).from_select(
        ["case_id", "milestone", "run_start", "due_on", "done_on"],
        select(new_case.c.id, each.c.milestone, bindparam("milestones_run_start", type_=Date), each.c.due_on,
               each.c.done_on).select_from(new_case).join(each, true())).cte("new_milestones")
    return Prepared(select(new_case.c.id).add_cte(event).add_cte(milestones))


_INSERT_ALL = _insert_all_in_one_statement()


@functools.cache
def _insert_milestones(count: int) -> Prepared:
    """SQLite: a new case's `count` milestones in one statement (its rows' parameters suffixed _0, _1...)."""
    return Prepared(insert(MilestoneRow).values([{name: bindparam(f"{name}_{n}") for name in _MILESTONE_COLUMNS}
                                                 for n in range(count)]))


def _with_the_officer():
    """The cases that are the tracking officer's: no school (an agency's referral), a CME referral made, removal
    asked about, or a pupil who has left and whose 1 to 10 day notice date has come (policy 8.4.1)."""
    notice_due = exists().where(MilestoneRow.case_id == CaseRow.id,
                                MilestoneRow.milestone == Deadline.OFFICER_TOLD.value,
                                MilestoneRow.due_on <= bindparam("today", type_=Date))
    return or_(CaseRow.school_id.is_(None), CaseRow.cme_referral_on.is_not(None), notice_due,
               *(CaseRow.state == state.value for state in OFFICER_STATES))  # no IN list: it is prepared


@dataclass(frozen=True)
class _PageStatements:
    overdue: Select | Prepared  # the page's cases with a milestone overdue, longest overdue first
    overdue_count: Select | Prepared  # how many of the person's cases have one (only for a page past them)
    rest: Select | Prepared  # then the others, longest absent first
    total: Select | Prepared  # how many open cases, counted up to COUNTED + 1


def _scope(kind: str, by_creator: bool, authorities: int) -> list:
    where = [CaseRow.closed_at.is_(None)]
    if kind == "school":
        where.append(CaseRow.school_id == bindparam("school_id"))
    elif kind == "schools":
        where.append(CaseRow.school_id.in_(bindparam("school_ids", expanding=True)))
    elif kind == "no school":
        where.append(CaseRow.school_id.is_(None))
    elif kind == "officer":
        where.append(_with_the_officer())
    if by_creator:
        where.append(CaseRow.created_by == bindparam("created_by"))
    if authorities == 1:
        where.append(CaseRow.authority_id == bindparam("authority_id"))
    elif authorities:
        where.append(CaseRow.authority_id.in_(bindparam("authority_ids", expanding=True)))
    return where


@functools.cache
def _open_page(kind: str, by_creator: bool, authorities: int = 0) -> _PageStatements:
    """The statements of Cases.open_page for one kind of person, built once (building cost more than running).

    A case is overdue when the earliest due date of its milestones not done (`open_due_on`, kept by triggers,
    migration 0013) is before today. The open cases of a school and of an authority are indexed by it and by
    (Day 1, reference), so either part of a page reads the cases it shows in index order, whatever the number
    of open cases; only a page past all the overdue ones counts them (by the index). Staff of one school (most)
    get statements without an IN list, which can be prepared. `authorities`: 0, or within the one (1) or
    several (2) local authorities of an officer.
    """
    where = _scope(kind, by_creator, authorities)
    today = bindparam("today", type_=Date)
    total = select(func.count()).select_from(select(CaseRow.id).where(*where).limit(COUNTED + 1).subquery())
    counted = total.scalar_subquery().label("total")
    overdue = (select(CaseRow, counted).where(*where, CaseRow.open_due_on < today)
               .order_by(CaseRow.open_due_on, CaseRow.run_start, CaseRow.reference)
               .offset(bindparam("offset")).limit(bindparam("limit")))
    overdue_count = select(func.count()).select_from(CaseRow).where(*where, CaseRow.open_due_on < today)
    rest = (select(CaseRow, counted).where(*where, or_(CaseRow.open_due_on.is_(None), CaseRow.open_due_on >= today))
            .order_by(CaseRow.run_start, CaseRow.reference).offset(bindparam("skip")).limit(bindparam("rest")))
    statements = (overdue, overdue_count, rest, total)
    if kind != "schools" and authorities < 2:
        statements = tuple(Prepared(statement) for statement in statements)
    return _PageStatements(*statements)


class Cases:
    def __init__(self, sessions: async_sessionmaker) -> None:
        self._sessions = sessions
        self._sql = Statements(sessions)
        self._postgresql = engine_of(sessions).dialect.name == "postgresql"
        self._count = Prepared(insert_for(engine_of(sessions))(Counter).values(name=bindparam("name"), value=1)
                               .on_conflict_do_update(index_elements=[Counter.name], set_={"value": Counter.value + 1})
                               .returning(Counter.value))
        # The same, unless a case was made from that submission already (then no row): one statement, not two.
        not_submitted = ~exists().where(CaseRow.submission_key == bindparam("key"))
        self._count_unless_submitted = Prepared(
            insert_for(engine_of(sessions))(Counter)
            .from_select([Counter.name, Counter.value], select(bindparam("name", type_=Counter.name.type),
                                                               literal(1, Counter.value.type)).where(not_submitted))
            .on_conflict_do_update(index_elements=[Counter.name], set_={"value": Counter.value + 1})
            .returning(Counter.value))

    async def create(self, case: Case, event: NewEvent, milestones: dict[Due, date], *,
                     submission_key: str | None = None) -> tuple[Case, bool]:
        """Save a new case with its first history entry; (case, False) when that submission made one already."""
        if case.authority_id is None and case.school_id is not None:  # a case is its school's authority's
            case = replace(case, authority_id=await self._sql.value(
                select(School.authority_id).where(School.id == case.school_id)))
        now = utcnow()
        try:
            if self._postgresql:
                created = await self._numbered_then_written(case, event, milestones, submission_key, now)
            else:
                created = await self._numbered_and_written(case, event, milestones, submission_key, now)
        except IntegrityError:
            if submission_key:
                existing = await self._by_submission(submission_key)
                if existing is not None:
                    return existing, False
            raise
        if created is None:
            return await self._by_submission(submission_key), False
        return created, True

    def _count_statement(self, submission_key: str | None, year: int) -> tuple[Prepared, dict]:
        """The next number of the year's references (none when a case was made from that submission already)."""
        name = f"case-{year}"
        if submission_key:
            return self._count_unless_submitted, {"name": name, "key": submission_key}
        return self._count, {"name": name}

    async def _numbered_then_written(self, case: Case, event: NewEvent, milestones: dict[Due, date],
                                     submission_key: str | None, now: datetime) -> Case | None:
        """PostgreSQL: the reference's number taken in a statement of its own, so the counter's row is locked for that
        statement only, not while the whole case is written: creations do not queue behind each other. A creation
        that fails after taking its number leaves a gap; references stay unique. Then the case, its first history
        entry and its milestones in one statement (`_insert_all_in_one_statement`)."""
        numbers = await self._sql.values(*self._count_statement(submission_key, now.year))
        if not numbers:
            return None
        values = _case_values(case, event, milestones, submission_key, numbers[0], now)
        rows = _milestone_values(0, case, milestones)
        case_id = await self._sql.value(_INSERT_ALL, {
            **values, **{f"event_{name}": value for name, value in _event_values(0, event, now).items()},
            "milestones": [row["milestone"] for row in rows], "due_ons": [row["due_on"] for row in rows],
            "done_ons": [row["done_on"] for row in rows], "milestones_run_start": case.run_start})
        return _created(case, case_id, values)

    async def _numbered_and_written(self, case: Case, event: NewEvent, milestones: dict[Due, date],
                                    submission_key: str | None, now: datetime) -> Case | None:
        """SQLite: the reference's number, the case, its first history entry and its milestones in one transaction,
        run on the bot's own thread. SQLite writes one transaction at a time however it is cut, so taking the number
        apart, as on PostgreSQL, would only cost a commit more."""
        async with self._sql.prepared_transaction() as connection:
            numbers = (await connection.execute(*self._count_statement(submission_key, now.year)))[0]
            if not numbers:
                return None
            values = _case_values(case, event, milestones, submission_key, numbers[0][0], now)
            case_id = (await connection.execute(_INSERT_CASE, values))[0][0][0]
            await connection.execute(_INSERT_EVENT, _event_values(case_id, event, now))
            if milestones:
                rows = _milestone_values(case_id, case, milestones)
                await connection.execute(_insert_milestones(len(rows)), {
                    f"{name}_{n}": value for n, row in enumerate(rows) for name, value in row.items()})
        return _created(case, case_id, values)

    async def record(self, case: Case, event: NewEvent, milestones: dict[Due, date] | None = None,
                     done: dict[Due, date] | None = None, reopened: tuple[Milestone, ...] = (),
                     also: Also | None = None, moved: dict[Due, date | None] | None = None) -> Recorded:
        """Save `case` as changed by one step, with its history entry, if nobody changed it meanwhile.

        `done` marks milestones' actions recorded; `reopened` makes them due again (and overdue if past).
        `milestones` replaces all of the case's; `moved` only those it names (to its date, or removed by None).
        `also` writes what else the step changes (a hand-off's row) in the same transaction.

        ALREADY_DONE: an event with the same key exists (a double click or a redelivery).
        CONFLICT: the case changed since it was read; read it again and decide again.
        """
        try:
            async with self._sessions.begin() as session:
                now = utcnow()
                changed = await session.execute(
                    update(CaseRow)
                    .where(CaseRow.id == case.id, CaseRow.version == case.version)
                    .values(**row_values(case), version=CaseRow.version + 1, updated_at=now,
                            closed_at=None if case.is_open else func.coalesce(CaseRow.closed_at, now))
                )
                if changed.rowcount != 1:
                    raise _Stale
                _add_event(session, case.id, event, now)
                if also is not None:
                    await also(session, case.id)
                if milestones is not None:
                    await session.execute(delete(MilestoneRow).where(MilestoneRow.case_id == case.id))
                    await session.flush()
                    _set_milestones(session, case.id, case, milestones)
                if moved:
                    await _move_milestones(session, case, moved)
                for milestone, on in (done or {}).items():
                    await session.execute(
                        update(MilestoneRow)
                        .where(MilestoneRow.case_id == case.id, MilestoneRow.milestone == milestone.value,
                               MilestoneRow.done_on.is_(None))
                        .values(done_on=on))
                if reopened:
                    await session.execute(
                        update(MilestoneRow)
                        .where(MilestoneRow.case_id == case.id,
                               MilestoneRow.milestone.in_([m.value for m in reopened]))
                        .values(done_on=None))
                await session.flush()
        except IntegrityError:
            return Recorded.ALREADY_DONE
        except _Stale:
            if event.key and await self._has_event(case.id, event.key):
                return Recorded.ALREADY_DONE
            return Recorded.CONFLICT
        case.version += 1
        return Recorded.DONE

    async def reschedule(self, case_id: int, due: dict[Due, date], actor: Actor) -> dict[str, list[str]]:
        """Move the milestones not yet done to new due dates (new term dates), with one history event.

        Returns {milestone: [old, new]} of what moved; nothing is written when nothing moves."""
        async with self._sessions.begin() as session:
            rows = await session.scalars(select(MilestoneRow).where(
                MilestoneRow.case_id == case_id, MilestoneRow.done_on.is_(None)))
            moved = {}
            for row in rows:
                new = due.get(kind_of(row.milestone))
                if new is not None and new != row.due_on:
                    moved[row.milestone] = [row.due_on.isoformat(), new.isoformat()]
                    row.due_on = new
            if moved:
                _add_event(session, case_id, NewEvent("milestones_rescheduled", {"moved": moved}, actor), utcnow())
            return moved

    async def get(self, reference: str) -> Case | None:
        row = await self._sql.first(_BY_REFERENCE, {"reference": reference.upper()})
        return case_from_row(row) if row else None

    async def by_id(self, case_id: int) -> Case | None:
        row = await self._sql.first(_BY_ID, {"case_id": case_id})
        return case_from_row(row) if row else None

    async def open_cases(self, school_ids: list[int] | None = None, *, without_school: bool = False,
                         limit: int = 500) -> list[Case]:
        """Open cases, oldest absence first; of some schools, of no school, or all when neither is given."""
        query = select(CaseRow).where(CaseRow.closed_at.is_(None))
        if school_ids is not None:
            query = query.where(CaseRow.school_id.in_(school_ids))
        elif without_school:
            query = query.where(CaseRow.school_id.is_(None))
        rows = await self._sql.rows(query.order_by(CaseRow.run_start, CaseRow.id).limit(limit))
        return [case_from_row(row) for row in rows]

    async def open_page(self, today: date, *, school_ids: list[int] | None = None, without_school: bool = False,
                        created_by: str | None = None, offset: int = 0, limit: int = 20,
                        with_the_officer: bool = False,
                        authority_ids: list[int] | None = None) -> tuple[int, list[Case]]:
        """One page of open cases, those with a milestone overdue first (the longest overdue first), then the others
        longest absent first; and how many there are, counted up to COUNTED + 1 (more: the card says so).

        The order is the database's, so a school with hundreds of open cases loads one page, not all.
        `with_the_officer`: only the tracking officer's cases (`_with_the_officer`). `authority_ids`: only the
        cases of these local authorities (an officer's; none when the list is empty).
        """
        kind = ("officer" if with_the_officer else "all" if school_ids is None and not without_school
                else "no school" if school_ids is None else "school" if len(school_ids) == 1 else "schools")
        authorities = 0 if authority_ids is None else min(len(authority_ids), 2) or 2
        sql = _open_page(kind, created_by is not None, authorities)
        parameters = {"today": today, "offset": offset, "limit": limit, "school_ids": school_ids or [],
                      "school_id": school_ids[0] if kind == "school" else None, "created_by": created_by,
                      "authority_ids": authority_ids or [],
                      "authority_id": authority_ids[0] if authorities == 1 else None}
        rows = list(await self._sql.rows(sql.overdue, parameters))
        if len(rows) < limit:  # past the overdue ones: the others, after those the pages before showed
            overdue = offset + len(rows) if rows or not offset else await self._sql.value(sql.overdue_count,
                                                                                          parameters)
            rows += await self._sql.rows(sql.rest, {**parameters, "skip": max(offset - overdue, 0),
                                                    "rest": limit - len(rows)})
        if rows:
            return rows[0].total, [case_from_row(row) for row in rows]
        return await self._sql.value(sql.total, parameters), []

    async def count_open(self, school_ids: list[int] | None = None) -> int:
        query = select(func.count()).select_from(CaseRow).where(CaseRow.closed_at.is_(None))
        if school_ids is not None:
            query = query.where(CaseRow.school_id.in_(school_ids))
        return await self._sql.value(query)

    async def history(self, case_id: int) -> list[HistoryEntry]:
        rows = await self._sql.rows(_HISTORY, {"case_id": case_id})
        return [HistoryEntry(r.at, r.actor_name, r.actor_aad_object_id, r.kind, r.data) for r in rows]

    async def milestones(self, case_id: int) -> dict[Due, tuple[date, date | None]]:
        """Each milestone and deadline of the current run: (due, done)."""
        rows = await self._sql.rows(_MILESTONES, {"case_id": case_id})
        return {kind_of(r.milestone): (r.due_on, r.done_on) for r in rows}

    async def _has_event(self, case_id: int, key: str) -> bool:
        return bool(await self._sql.value(
            select(CaseEvent.id).where(CaseEvent.case_id == case_id, CaseEvent.key == key)))

    async def _by_submission(self, key: str) -> Case | None:
        row = await self._sql.first(_BY_SUBMISSION, {"key": key})
        return case_from_row(row) if row else None


def _case_values(case: Case, event: NewEvent, milestones: dict[Due, date], submission_key: str | None, number: int,
                 now: datetime) -> dict:
    """The new case's row. Its earliest due date not done is written with it, as the milestones' triggers keep it
    (migration 0013): their update of the case then changes nothing, and the tallies' trigger on it writes nothing."""
    due = [on for milestone, on in milestones.items() if done_on(case, milestone) is None]
    return {"reference": format_reference(now.year, number), "submission_key": submission_key,
            "created_by": event.actor.aad_object_id, "created_at": now, "updated_at": now, "version": 1,
            "open_due_on": min(due, default=None), **row_values(case)}


def _created(case: Case, case_id: int, values: dict) -> Case:
    return replace(case, id=case_id, reference=values["reference"], created_by=values["created_by"],
                   created_at=values["created_at"], version=1)


def _event_values(case_id: int, event: NewEvent, at: datetime) -> dict:
    return {"case_id": case_id, "at": at, "actor_aad_object_id": event.actor.aad_object_id,
            "actor_name": event.actor.name, "kind": event.kind, "data": event.data, "key": event.key}


def _milestone_values(case_id: int, case: Case, milestones: dict[Due, date]) -> list[dict]:
    return [{"case_id": case_id, "milestone": milestone.value, "run_start": case.run_start, "due_on": due,
             "done_on": done_on(case, milestone)} for milestone, due in milestones.items()]


def _add_event(session: AsyncSession, case_id: int, event: NewEvent, at: datetime) -> None:
    session.add(CaseEvent(**_event_values(case_id, event, at)))


def _set_milestones(session: AsyncSession, case_id: int, case: Case, milestones: dict[Due, date]) -> None:
    for values in _milestone_values(case_id, case, milestones):
        session.add(MilestoneRow(**values))


async def _move_milestones(session: AsyncSession, case: Case, moved: dict[Due, date | None]) -> None:
    """Each named milestone removed, then put back at its new date unless that is None."""
    await session.execute(delete(MilestoneRow).where(MilestoneRow.case_id == case.id,
                                                     MilestoneRow.milestone.in_([kind.value for kind in moved])))
    await session.flush()
    _set_milestones(session, case.id, case, {kind: due for kind, due in moved.items() if due is not None})
