"""What a report submit reads and writes in fewer statements: the same answers as before, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import date

import asyncpg
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from cme.deadlines import Deadline
from cme.roles import Role
from storage.cases import Actor, NewEvent, Written
from storage.models import CaseEvent, CaseRow, MilestoneRow
from storage.store import Store
from tests.storage.test_storage import DUE, REPORTER, new_case


async def test_the_roles_carry_each_school_as_the_schools_read_it(store):
    oak = await store.schools.add("900001", "Oakwood Primary (fictional)", "Example Borough", actor="cli",
                                  reminders_channel_id="19:oak@thread.tacv2")
    await store.people.grant("aad-sam", Role.SCHOOL_STAFF, actor="cli", name="Sam School", school_id=oak.id)
    await store.people.grant("aad-sam", Role.ADMIN, actor="cli")
    staff, admin = (await store.people.roles_of("aad-sam")).grants
    assert staff.school == await store.schools.get(oak.id) == oak
    assert staff.school.authority == "Example Borough" and staff.school.reminders_channel_id == "19:oak@thread.tacv2"
    assert admin.school is None
    await store.schools.add("900001", "Oakwood Primary (renamed, fictional)", "Example Borough", actor="cli")
    staff, _ = (await store.people.roles_of("aad-sam")).grants
    assert staff.school.name == staff.school_name == "Oakwood Primary (renamed, fictional)"


async def test_a_form_submitted_again_gives_its_case_and_takes_no_reference_number(store):
    school = await store.schools.add("900001", "Oakwood Primary (fictional)", "Example Borough", actor="cli")
    first, created = await store.cases.create(new_case(school.id), NewEvent("reported", {}, REPORTER), DUE,
                                              submission_key="form-1")
    assert created
    again, created = await store.cases.create(new_case(school.id), NewEvent("reported", {}, REPORTER), DUE,
                                              submission_key="form-1")
    assert not created and (again.id, again.reference) == (first.id, first.reference)
    assert len(await store.cases.history(first.id)) == 1
    other, created = await store.cases.create(new_case(school.id), NewEvent("reported", {}, REPORTER), DUE,
                                              submission_key="form-2")
    assert created and int(other.reference[-4:]) == int(first.reference[-4:]) + 1  # no gap
    unkeyed, created = await store.cases.create(new_case(school.id), NewEvent("reported", {}, REPORTER), DUE)
    assert created and int(unkeyed.reference[-4:]) == int(other.reference[-4:]) + 1


async def _connections_to(url: str) -> int:
    parsed = make_url(url)
    admin = await asyncpg.connect(host=parsed.host, port=parsed.port or 5432, user=parsed.username,
                                  database=parsed.database)
    try:
        return await admin.fetchval("SELECT count(*) FROM pg_stat_activity "
                                    "WHERE datname = current_database() AND pid <> pg_backend_pid()")
    finally:
        await admin.close()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)  # SQLite keeps one connection, in the pool
async def test_connections_kept_between_statements_are_closed_with_the_store(database_url):
    store = Store.from_url(database_url)
    await store.people.grant("aad-sam", Role.ADMIN, actor="cli", name="Sam School")
    people = await asyncio.gather(*(store.people.roles_of("aad-sam") for _ in range(12)))  # more than are kept
    assert all(person.has(Role.ADMIN) for person in people)
    assert await _connections_to(database_url) >= 1
    await store.close()
    assert await _connections_to(database_url) == 0



async def test_a_new_case_is_written_with_its_history_and_milestones_and_the_earliest_due_date(store):
    school = await store.schools.add("900001", "Oakwood Primary (fictional)", "Example Borough", actor="cli")
    event = NewEvent("reported", {"day": 3, "school_id": school.id, "note": "née Ünïcode"}, REPORTER, key="k-1")
    case, _ = await store.cases.create(new_case(school.id), event, DUE, submission_key="form-1")
    [entry] = await store.cases.history(case.id)
    assert (entry.kind, entry.data, entry.actor_name, entry.at) == ("reported", event.data, "Sam School", case.created_at)
    assert await store.cases.milestones(case.id) == {due: (on, None) for due, on in DUE.items()}
    async with store.engine.connect() as connection:
        earliest = (await connection.execute(select(CaseRow.open_due_on).where(CaseRow.id == case.id))).scalar_one()
    assert earliest == min(DUE.values())  # the milestones' trigger saw the case written in the same statement
    bare, _ = await store.cases.create(new_case(school.id), NewEvent("reported", {}, REPORTER), {})
    assert await store.cases.milestones(bare.id) == {} and len(await store.cases.history(bare.id)) == 1


async def test_a_new_case_refused_writes_nothing(store):
    school = await store.schools.add("900001", "Oakwood Primary (fictional)", "Example Borough", actor="cli")
    with pytest.raises(IntegrityError):  # a history entry by nobody is refused: so are the case and its milestones
        await store.cases.create(new_case(school.id), NewEvent("reported", {}, Actor("aad-nobody", None)), DUE)
    async with store.engine.connect() as connection:
        for table in (CaseRow, CaseEvent, MilestoneRow):
            assert (await connection.execute(select(func.count()).select_from(table))).scalar_one() == 0


async def test_what_a_new_case_wrote_is_what_its_history_and_milestones_read_back(store):
    """The new case card is drawn from `Written` instead of these reads (bot/handlers/report.py): the same values."""
    school = await store.schools.add("900001", "Oakwood Primary (fictional)", "Example Borough", actor="cli")
    case = new_case(school.id, triage_recorded_on=date(2026, 11, 2))  # its Day 1 risk deadline done already
    due = {**DUE, Deadline.RISK_NOTIFIED: date(2026, 11, 3)}
    event = NewEvent("reported", {"day": 3, "school_id": school.id, "note": "née Ünïcode"}, REPORTER)
    case, created = await store.cases.create(case, event, due, submission_key="form-1")
    written = Written.with_new_case(case, event, due)
    assert created and written.milestones[Deadline.RISK_NOTIFIED] == (date(2026, 11, 3), date(2026, 11, 2))
    assert written == Written(await store.cases.history(case.id), await store.cases.milestones(case.id))


async def test_a_new_case_is_due_on_its_earliest_milestone_not_done(store):
    school = await store.schools.add("900001", "Oakwood Primary (fictional)", "Example Borough", actor="cli")
    done_first = new_case(school.id, triage_recorded_on=date(2026, 11, 2))  # its Day 1 risk deadline done already
    due = {**DUE, Deadline.RISK_NOTIFIED: date(2026, 11, 3)}
    case, _ = await store.cases.create(done_first, NewEvent("reported", {}, REPORTER), due, submission_key="form-1")
    only_done, _ = await store.cases.create(done_first, NewEvent("reported", {}, REPORTER),
                                            {Deadline.RISK_NOTIFIED: date(2026, 11, 3)}, submission_key="form-2")
    async with store.engine.connect() as connection:
        earliest = dict((await connection.execute(select(CaseRow.id, CaseRow.open_due_on))).all())
    assert earliest == {case.id: min(DUE.values()), only_done.id: None}
