"""Reminder claims are held by a running job while its heartbeat is fresh, and by nobody once it stops."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import update

from cme.case import Case, Pupil
from cme.lifecycle import State
from cme.milestones import Milestone
from storage.cases import Actor, NewEvent
from storage.engine.db import sessionmaker
from storage.models import DailyJobRun
from storage.reminders import OWNER_GONE_AFTER, UNCERTAIN
from storage.types import utcnow

DAY_FIVE = date(2026, 11, 13)
REPORTER = Actor("00000000-0000-0000-0000-0000000000a1", "Sam School")


async def two_cases_due(store) -> list[str]:
    school = await store.schools.add("900001", "Oakwood Primary School (fictional)", "Example Borough Council",
                                     actor="test")
    references = []
    for forename in ("Eli", "Fen"):
        case = Case(reference="", school_id=school.id, state=State.ENQUIRIES,
                    pupil=Pupil(forename, "Imaginary", date(2016, 1, 2)), first_day_absent=date(2026, 11, 9),
                    run_start=date(2026, 11, 9))
        case, _ = await store.cases.create(case, NewEvent("reported", {}, REPORTER),
                                           {Milestone.DAY_5: DAY_FIVE, Milestone.DAY_20: date(2026, 12, 4)})
        references.append(case.reference)
    return references


async def heartbeat_stops(store, run_id: str) -> None:
    """As if the run's process was killed OWNER_GONE_AFTER ago."""
    async with sessionmaker(store.engine).begin() as session:
        await session.execute(update(DailyJobRun).where(DailyJobRun.run_id == run_id)
                              .values(heartbeat_at=utcnow() - OWNER_GONE_AFTER - timedelta(seconds=1)))


async def test_a_running_job_keeps_its_claims_until_its_heartbeat_stops(store):
    await two_cases_due(store)
    first, second = await store.reminders.start_run("host:1"), await store.reminders.start_run("host:2")
    assert await store.reminders.claim_due(DAY_FIVE, first) == 2
    assert await store.reminders.claim_due(DAY_FIVE, second) == 0
    assert await store.reminders.to_send(second) == []
    assert await store.reminders.held_elsewhere(second) == 2
    assert await store.reminders.unsent() == [], "being sent by a running job is not unsent"

    mine = await store.reminders.to_send(first)
    assert len(mine) == 2 and not any(claim.taken_over for claim in mine)
    assert await store.reminders.attempt(mine[0].id, first)
    await store.reminders.heartbeat(first)
    assert await store.reminders.to_send(second) == [], "a heartbeat keeps them"

    await heartbeat_stops(store, first)
    taken = await store.reminders.to_send(second)
    assert [(claim.taken_over, claim.maybe_posted) for claim in taken] == [(True, True), (True, False)]
    assert await store.reminders.held_elsewhere(second) == 0
    assert not await store.reminders.attempt(mine[1].id, first), "the stopped run may not post what it lost"
    assert all([await store.reminders.attempt(claim.id, second) for claim in taken])
    assert await store.reminders.to_send(second) == [], "what a run tried is not handed to it again"


async def test_what_an_ended_run_left_is_listed_and_taken_by_the_next_run_at_once(store):
    references = await two_cases_due(store)
    run = await store.reminders.start_run("host:1")
    await store.reminders.claim_due(DAY_FIVE, run)
    uncertain, refused = await store.reminders.to_send(run)
    await store.reminders.attempt(uncertain.id, run)
    await store.reminders.attempt(refused.id, run)
    await store.reminders.not_sent(refused.id, "not posted: 400 BadArgument")
    await store.reminders.end_run(run)

    assert [(u.reference, u.why) for u in await store.reminders.unsent()] == [
        (references[0], UNCERTAIN), (references[1], "not posted: 400 BadArgument")]
    next_run = await store.reminders.start_run("host:2")
    assert [claim.reference for claim in await store.reminders.to_send(next_run)] == references


async def test_an_uncertain_digest_is_taken_again_once_its_run_has_stopped(store):
    run = await store.reminders.start_run("host:1")
    digest = await store.reminders.claim_digest("19:channel", DAY_FIVE, run)
    await store.reminders.digest_attempt(digest.id)
    later = await store.reminders.start_run("host:2")
    assert await store.reminders.claim_digest("19:channel", DAY_FIVE, later) is None, "its run is still sending"
    await heartbeat_stops(store, run)
    again = await store.reminders.claim_digest("19:channel", DAY_FIVE, later)
    assert again.id == digest.id and again.maybe_posted
    await store.reminders.digest_done(again.id, "m1")
    assert await store.reminders.claim_digest("19:channel", DAY_FIVE, await store.reminders.start_run("h:3")) is None


async def test_a_milestone_stored_past_the_end_of_the_term_dates_is_not_claimed_until_they_cover_it(store):
    await two_cases_due(store)
    run = await store.reminders.start_run("host:1")
    day_20, ends = date(2026, 12, 4), date(2026, 12, 3)
    assert [d.milestone for d in await store.reminders.due(day_20, known_until=ends)] == [Milestone.DAY_5] * 2
    assert await store.reminders.claim_due(day_20, run, known_until=ends) == 2, "the two Day 5s, known"
    assert await store.reminders.claim_due(day_20, run, known_until=ends) == 0, "Day 20 is not known yet"
    assert await store.reminders.claim_due(day_20, run, known_until=day_20) == 2, "now it is"
