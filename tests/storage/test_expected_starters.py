"""Expected starters on SQLite and PostgreSQL: one record per pupil, school and first day; a status changed once;
an append-only history."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from cme.case import Pupil
from cme.expected_starters import Arrival, Starter, Status, arrive
from storage.cases import Actor

SAM = Actor("aad-sam", "Sam Staff")
FIRST_DAY = date(2027, 1, 4)


async def _school(store):
    return await store.schools.add("900001", "Oakwood Primary School (fictional)", "Example Borough Council",
                                   actor="test")


def _starter(school_id: int, forename: str = "Ada", first_day: date = FIRST_DAY) -> Starter:
    return Starter(school_id, Pupil(forename, "Madeup", date(2022, 5, 1), year_group="Reception"), first_day)


async def test_the_same_pupil_school_and_first_day_is_one_record(store):
    school = await _school(store)
    first, created = await store.expected_starters.add(_starter(school.id), SAM)
    again, created_again = await store.expected_starters.add(_starter(school.id), SAM)
    assert created and not created_again and again.id == first.id
    other_day, created = await store.expected_starters.add(_starter(school.id, first_day=date(2027, 1, 5)), SAM)
    assert created and other_day.id != first.id
    added, there = await store.expected_starters.add_many(
        [_starter(school.id), _starter(school.id, "Bea"), _starter(school.id, "Cy")], SAM, source="csv")
    assert (added, there) == (2, 1)
    assert (await store.expected_starters.add_many([_starter(school.id, "Bea")], SAM, source="csv")) == (0, 1)
    listed = await store.expected_starters.of_schools([school.id], date(2026, 12, 1))
    assert sorted(s.pupil.forename for s in listed) == ["Ada", "Ada", "Bea", "Cy"]
    assert [e.kind for e in await store.expected_starters.history(first.id)] == ["expected"]


async def test_arrival_and_a_case_are_recorded_once(store):
    school = await _school(store)
    starter, _ = await store.expected_starters.add(_starter(school.id), SAM)
    arrived = arrive(starter, Arrival(date(2027, 1, 5), "1 Fictional Road", "ZZ99 1ZZ", "Nowhere Nursery"))
    assert await store.expected_starters.arrived(arrived, SAM)
    assert not await store.expected_starters.arrived(arrived, SAM), "a second click records nothing"
    assert not await store.expected_starters.claim_case(starter.id, SAM), "an arrived pupil is not made a case"
    saved = await store.expected_starters.get(starter.id)
    assert saved.status is Status.ARRIVED and saved.arrived_on == date(2027, 1, 5)
    assert saved.pupil.address == "1 Fictional Road" and saved.previous_school == "Nowhere Nursery"
    assert [e.kind for e in await store.expected_starters.history(starter.id)] == ["expected", "arrived"]

    other, _ = await store.expected_starters.add(_starter(school.id, "Bea"), SAM)
    assert await store.expected_starters.claim_case(other.id, SAM)
    assert not await store.expected_starters.claim_case(other.id, SAM)
    assert not await store.expected_starters.arrived(arrive(other, Arrival(date(2027, 1, 5), "x", "", "")), SAM)


async def test_awaiting_a_card_until_it_is_posted(store):
    school = await _school(store)
    starter, _ = await store.expected_starters.add(_starter(school.id), SAM)
    assert await store.expected_starters.awaiting_card(date(2027, 1, 1)) == []
    assert [s.id for s in await store.expected_starters.awaiting_card(FIRST_DAY)] == [starter.id]
    await store.expected_starters.card_posted(starter.id, "19:reminders", "activity-1")
    assert await store.expected_starters.awaiting_card(date(2027, 1, 11)) == []
    assert (await store.expected_starters.get(starter.id)).card_activity_id == "activity-1"


async def test_the_history_is_append_only(store):
    school = await _school(store)
    starter, _ = await store.expected_starters.add(_starter(school.id), SAM)
    for statement in ("UPDATE expected_starter_events SET kind = 'x'", "DELETE FROM expected_starter_events"):
        with pytest.raises((IntegrityError, DBAPIError)):
            async with store.engine.begin() as connection:
                await connection.execute(text(statement))
    assert len(await store.expected_starters.history(starter.id)) == 1


async def test_migration_0008_undoes_and_redoes(store):
    from alembic import command

    from storage.migrate import alembic_config, upgrade

    config = alembic_config()

    def down(connection) -> None:
        config.attributes["connection"] = connection
        command.downgrade(config, "0008_expected_starters")  # the revision joining the branches above it first
        command.downgrade(config, "0008_expected_starters@-1")

    async with store.engine.begin() as connection:
        await connection.run_sync(down)
    async with store.engine.connect() as connection:
        tables = await connection.run_sync(lambda c: inspect(c).get_table_names())
    assert "expected_starters" not in tables and "expected_starter_events" not in tables and "cases" in tables
    await upgrade(store.engine)
    school = await _school(store)
    assert (await store.expected_starters.add(_starter(school.id), SAM))[1]
