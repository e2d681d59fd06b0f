"""What a report submit reads and writes in fewer statements: the same answers as before, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from cme.roles import Role
from storage.cases import NewEvent
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


async def test_connections_kept_between_statements_are_closed_with_the_store(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite keeps one connection, in the pool")
    store = Store.from_url(database_url)
    await store.people.grant("aad-sam", Role.ADMIN, actor="cli", name="Sam School")
    people = await asyncio.gather(*(store.people.roles_of("aad-sam") for _ in range(12)))  # more than are kept
    assert all(person.has(Role.ADMIN) for person in people)
    assert await _connections_to(database_url) >= 1
    await store.close()
    assert await _connections_to(database_url) == 0

