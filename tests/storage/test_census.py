"""The census's children on SQLite and PostgreSQL: who was on an authority's register on a census date, and on a
school's roll then; the pupil's sex column (migration 0009), "not_known" for cases reported before it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from alembic import command
from sqlalchemy import DateTime, bindparam, text

from cme.case import Pupil
from cme.census import CensusChild
from cme.lifecycle import Outcome, State
from storage.cases import NewEvent
from storage.migrate import alembic_config, upgrade
from tests.storage.test_authorities import _two_authorities
from tests.storage.test_storage import DUE, REPORTER, new_case

LONDON = ZoneInfo("Europe/London")


async def _create(store, case):
    made, _ = await store.cases.create(case, NewEvent("reported", {}, REPORTER), DUE)
    return made


async def _closed_at(store, case_id: int, when: datetime) -> None:
    async with store.engine.begin() as connection:
        await connection.execute(text("UPDATE cases SET closed_at = :at WHERE id = :id").bindparams(
            bindparam("at", type_=DateTime(timezone=True))), {"at": when, "id": case_id})


async def test_the_children_on_the_register_on_a_census_date_and_who_was_on_a_roll(store):
    oak, hill = await _two_authorities(store)
    authority = oak.authority_id
    await _create(store, new_case(oak.id, authority_id=authority, sex="female"))  # open, on Oakwood's roll
    await _create(store, new_case(  # removed from roll on 20 November, out of provision since
        oak.id, authority_id=authority, sex="male", state=State.OUT_OF_PROVISION,
        outcome=Outcome.REMOVED_FROM_ROLL, off_roll_date=date(2026, 11, 20), reason="moved_no_school"))
    await _create(store, new_case(  # an agency's referral: no school, no date of birth
        None, authority_id=authority, state=State.CME_REFERRAL, pupil=Pupil("Ada", "Example"),
        reason="awaiting_school_place"))
    closed = await _create(store, new_case(oak.id, authority_id=authority, sex="female",
                                           state=State.CLOSED, outcome=Outcome.RETURNED))
    await _closed_at(store, closed.id, datetime(2026, 11, 15, 10, tzinfo=UTC))
    await _create(store, new_case(oak.id, authority_id=authority, first_day_absent=date(2026, 12, 2),
                                  run_start=date(2026, 12, 2)))  # missing only after the census
    await _create(store, new_case(hill.id, authority_id=hill.authority_id))  # another authority's

    on_1_december = await store.census.children(authority, date(2026, 12, 1), LONDON)
    assert sorted(on_1_december, key=repr) == sorted([
        CensusChild("female", date(2015, 3, 14), date(2026, 11, 2), "", on_roll=True),
        CensusChild("male", date(2015, 3, 14), date(2026, 11, 2), "moved_no_school", on_roll=False),
        CensusChild("not_known", None, date(2026, 11, 2), "awaiting_school_place", on_roll=False),
    ], key=repr)

    on_10_november = await store.census.children(authority, date(2026, 11, 10), LONDON)
    assert len(on_10_november) == 4  # the returned child was still missing; the removed one still on roll
    assert sum(child.on_roll for child in on_10_november) == 3

    on_closing_day = await store.census.children(authority, date(2026, 11, 15), LONDON)
    assert len(on_closing_day) == 4  # closed that day: still missing that morning

    assert await store.census.children(authority, date(2026, 11, 1), LONDON) == []  # before anyone was missing


async def test_a_reported_case_keeps_its_sex_and_an_older_one_is_not_known(store):
    oak, _ = await _two_authorities(store)
    made = await _create(store, new_case(oak.id, authority_id=oak.authority_id, sex="male"))
    assert (await store.cases.get(made.reference)).sex == "male"

    config = alembic_config()

    def run(connection, target: str) -> None:
        config.attributes["connection"] = connection
        command.downgrade(config, target)

    async with store.engine.begin() as connection:
        await connection.run_sync(run, "0009_case_sex")  # the revision joining the branches above it first
        await connection.run_sync(run, "0009_case_sex@-1")  # this branch only: the cases lose the column
    async with store.engine.begin() as connection:
        columns = (await connection.execute(text("SELECT * FROM cases"))).keys()
        assert "sex" not in columns
        now = datetime(2026, 11, 2, 9, tzinfo=UTC)
        await connection.execute(text(
            "INSERT INTO cases (reference, school_id, authority_id, state, pupil, first_day_absent, run_start, risk, "
            "risk_groups, reason, known_so_far, details, created_by, created_at, updated_at, version) VALUES "
            "('CME-2026-0900', :school, :authority, 'reported', '{}', '2026-11-02', '2026-11-02', '{}', '[]', '', "
            "'', '{}', 'aad-sam', :now, :now, 1)").bindparams(bindparam("now", type_=DateTime(timezone=True))),
            {"school": oak.id, "authority": oak.authority_id, "now": now})
    await upgrade(store.engine)

    assert (await store.cases.get("CME-2026-0900")).sex == "not_known"
    assert (await store.cases.get(made.reference)).sex == "not_known"  # nobody was asked before the column
