"""The storage layer, run on SQLite and on PostgreSQL alike (the `store` fixture is parametrised)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from cme.case import Carer, Case, Pupil, Risk
from cme.lifecycle import State, Step, next_state
from cme.milestones import Milestone
from cme.roles import Role
from storage.cases import Actor, NewEvent, Recorded
from storage.migrate import pending_revisions

REPORTER = Actor("00000000-0000-0000-0000-0000000000a1", "Sam School")


def new_case(school_id: int | None, **changes) -> Case:
    case = Case(
        reference="", school_id=school_id, state=State.REPORTED,
        pupil=Pupil("Ada", "Example", date(2015, 3, 14), "", "Year 6", "1 Imaginary Lane", "ZZ1 1ZZ",
                    (Carer("Pat Example", "07700 900123", "mother"),)),
        first_day_absent=date(2026, 11, 2), run_start=date(2026, 11, 2),
        risk=Risk(looked_after=True), risk_groups=("young_carers",),
    )
    return replace(case, **changes)


DUE = {Milestone.DAY_5: date(2026, 11, 6), Milestone.DAY_20: date(2026, 11, 27)}


async def test_migrations_are_current(store):
    assert await pending_revisions(store.engine) == []


async def test_schools_people_and_roles(store):
    oak = await store.schools.add("900001", "Oakwood Primary (fictional)", "Example Borough", actor="cli")
    again = await store.schools.add("900001", "Oakwood Primary School (fictional)", "Example Borough", actor="cli")
    assert again.id == oak.id and again.name == "Oakwood Primary School (fictional)"

    assert await store.people.grant("aad-sam", Role.SCHOOL_STAFF, actor="cli", name="Sam", school_id=oak.id)
    assert not await store.people.grant("aad-sam", Role.SCHOOL_STAFF, actor="cli", school_id=oak.id)
    assert await store.people.grant("aad-tara", Role.TRACKING_OFFICER, actor="cli", name="Tara")
    with pytest.raises(ValueError, match="needs a school"):
        await store.people.grant("aad-x", Role.SCHOOL_STAFF, actor="cli")

    sam = await store.people.roles_of("aad-sam")
    assert sam.has(Role.SCHOOL_STAFF, oak.id) and sam.school_ids() == [oak.id]
    assert sam.grants[0].school_name == "Oakwood Primary School (fictional)"
    assert (await store.people.roles_of("nobody")).grants == ()
    assert [p.aad_object_id for p in await store.people.with_role(Role.TRACKING_OFFICER)] == ["aad-tara"]

    assert await store.people.revoke("aad-sam", Role.SCHOOL_STAFF, actor="cli")
    assert (await store.people.roles_of("aad-sam")).grants == ()


async def test_case_is_saved_with_reference_history_and_milestones(store):
    oak = await store.schools.add("900001", "Oakwood", "Example Borough", actor="cli")
    case, created = await store.cases.create(new_case(oak.id), NewEvent("reported", {"day": 1}, REPORTER), DUE,
                                             submission_key="form-1")
    assert created and case.reference.startswith(f"CME-{date.today().year}-")
    loaded = await store.cases.get(case.reference.lower())
    assert loaded.pupil.carers[0].phone == "07700 900123" and loaded.risk.looked_after
    assert loaded.first_day_absent == date(2026, 11, 2) and loaded.state is State.REPORTED
    assert [e.kind for e in await store.cases.history(case.id)] == ["reported"]
    assert await store.cases.milestones(case.id) == {m: (d, None) for m, d in DUE.items()}


async def test_the_same_submission_makes_one_case(store):
    event = NewEvent("reported", {}, REPORTER)
    first, created = await store.cases.create(new_case(None), event, DUE, submission_key="form-2")
    second, created_again = await store.cases.create(new_case(None), event, DUE, submission_key="form-2")
    assert created and not created_again and second.reference == first.reference
    assert len(await store.cases.history(first.id)) == 1


async def test_concurrent_submissions_of_one_form_make_one_case(store):
    event = NewEvent("reported", {}, REPORTER)
    results = await asyncio.gather(*(store.cases.create(new_case(None), event, DUE, submission_key="form-3")
                                     for _ in range(5)))
    assert len({case.reference for case, _ in results}) == 1
    assert sum(created for _, created in results) == 1


async def test_references_are_unique_and_sequential_under_concurrency(store):
    event = NewEvent("reported", {}, REPORTER)
    results = await asyncio.gather(*(store.cases.create(new_case(None), event, DUE) for _ in range(12)))
    numbers = sorted(int(case.reference.rsplit("-", 1)[1]) for case, _ in results)
    assert numbers == list(range(1, 13))


async def test_a_step_is_recorded_once_and_a_stale_write_is_refused(store):
    case, _ = await store.cases.create(new_case(None), NewEvent("reported", {}, REPORTER), DUE)
    step = replace(case, state=next_state(case.state, Step.LOG_ENQUIRY), enquiry_kinds=frozenset({"home_visit"}))
    event = NewEvent("enquiry_logged", {"kind": "home_visit"}, REPORTER, key="card-key-1")
    assert await store.cases.record(replace(step), event) is Recorded.DONE
    # the same click again, read before or after the first was saved
    assert await store.cases.record(replace(step), event) is Recorded.ALREADY_DONE
    assert await store.cases.record(replace(step, version=step.version + 1), event) is Recorded.ALREADY_DONE
    other = NewEvent("enquiry_logged", {"kind": "phone_call"}, REPORTER, key="card-key-2")
    assert await store.cases.record(replace(step), other) is Recorded.CONFLICT

    saved = await store.cases.get(case.reference)
    assert saved.state is State.ENQUIRIES and saved.enquiry_kinds == {"home_visit"}
    assert [e.kind for e in await store.cases.history(case.id)] == ["reported", "enquiry_logged"]


async def test_milestones_are_replaced_when_the_count_restarts_and_marked_done(store):
    case, _ = await store.cases.create(new_case(None), NewEvent("reported", {}, REPORTER), DUE)
    restarted = replace(case, run_start=date(2026, 11, 10))
    later = {Milestone.DAY_5: date(2026, 11, 16), Milestone.DAY_20: date(2026, 12, 7)}
    assert await store.cases.record(restarted, NewEvent("break_recorded", {}, REPORTER), milestones=later) \
        is Recorded.DONE
    assert await store.cases.record(restarted, NewEvent("ews_contacted", {}, REPORTER),
                                    done={Milestone.DAY_5: date(2026, 11, 16)}) is Recorded.DONE
    assert await store.cases.milestones(case.id) == {
        Milestone.DAY_5: (date(2026, 11, 16), date(2026, 11, 16)), Milestone.DAY_20: (date(2026, 12, 7), None)}


async def test_case_history_is_append_only(store):
    await store.schools.add("900001", "Oakwood", "Example Borough", actor="cli")
    case, _ = await store.cases.create(new_case(None), NewEvent("reported", {}, REPORTER), DUE)
    for statement in ("UPDATE case_events SET kind = 'edited'", "DELETE FROM case_events",
                      "DELETE FROM audit_events"):
        with pytest.raises(DBAPIError, match="append-only"):
            async with store.engine.begin() as connection:
                await connection.execute(text(statement))
    assert [e.kind for e in await store.cases.history(case.id)] == ["reported"]


async def test_open_cases_of_a_school(store):
    oak = await store.schools.add("900001", "Oakwood", "Example Borough", actor="cli")
    river = await store.schools.add("900002", "Riverside", "Example Borough", actor="cli")
    await store.cases.create(new_case(oak.id), NewEvent("reported", {}, REPORTER), DUE)
    await store.cases.create(new_case(river.id), NewEvent("reported", {}, REPORTER), DUE)
    await store.cases.create(new_case(None), NewEvent("reported", {}, REPORTER), DUE)
    assert [c.school_id for c in await store.cases.open_cases([oak.id])] == [oak.id]
    assert [c.school_id for c in await store.cases.open_cases(without_school=True)] == [None]
    assert await store.cases.count_open() == 3


async def test_conversation_references(store):
    reference = {"conversation": {"id": "a:personal-1"}, "serviceUrl": "http://localhost/_connector"}
    await store.conversations.save("a:personal-1", "personal", reference, aad_object_id="aad-sam")
    assert (await store.conversations.personal_chat("aad-sam")).reference == reference
    assert await store.conversations.mark_dead("a:personal-1", "403 BotNotInConversationRoster")
    assert not await store.conversations.mark_dead("a:personal-1", "again")
    assert not (await store.conversations.get("a:personal-1")).alive
    await store.conversations.save("a:personal-1", "personal", reference, aad_object_id="aad-sam")
    assert (await store.conversations.get("a:personal-1")).alive


async def test_seen_activities(store):
    assert await store.seen.first_time("activity-1")
    assert not await store.seen.first_time("activity-1")
    await store.seen.forget("activity-1")
    assert await store.seen.first_time("activity-1")


async def test_a_database_error_does_not_carry_the_values_into_logs(store):
    from sqlalchemy import text as sql
    from sqlalchemy.exc import IntegrityError

    async with store.engine.begin() as connection:
        await connection.execute(sql("INSERT INTO counters (name, value) VALUES (:n, 1)"), {"n": "Wren Fictional"})
    try:
        async with store.engine.begin() as connection:
            await connection.execute(sql("INSERT INTO counters (name, value) VALUES (:n, 1)"), {"n": "Wren Fictional"})
    except IntegrityError as error:
        assert "Wren" not in str(error)
    else:
        raise AssertionError("the duplicate was accepted")
