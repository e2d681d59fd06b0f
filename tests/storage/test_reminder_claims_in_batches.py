"""The daily job claims a batch of due milestones at a time and loads its claims to send a batch at a time: every
milestone due is claimed once, whatever the batch, and a claim found no longer needed is not handed on again."""

from __future__ import annotations

from datetime import date

from cme.case import Case, Pupil
from cme.lifecycle import State
from cme.milestones import Milestone
from storage.cases import NewEvent
from storage.reminders import NOT_NEEDED
from tests.storage.test_reminder_claims import DAY_FIVE, REPORTER

CASES = 7


async def cases_due(store, count: int = CASES) -> list[str]:
    school = await store.schools.add("900001", "Oakwood Primary School (fictional)", "Example Borough Council",
                                     actor="test")
    other = await store.schools.add("900002", "Birchfield Academy (fictional)", "Example Borough Council",
                                    actor="test")
    references = []
    for n in range(count):
        first_day = date(2026, 11, 2 + n % 5)  # due on different days, some on the same day
        case = Case(reference="", school_id=(school if n % 3 else other).id, state=State.ENQUIRIES,
                    pupil=Pupil(f"Batch{n}", "Imaginary", date(2016, 1, 2)), first_day_absent=first_day,
                    run_start=first_day)
        case, _ = await store.cases.create(case, NewEvent("reported", {}, REPORTER),
                                           {Milestone.DAY_5: date(2026, 11, 6 + n % 5),
                                            Milestone.DAY_20: date(2026, 12, 4)})
        references.append(case.reference)
    return references


async def test_batches_of_two_claim_every_milestone_due_once(store):
    references = await cases_due(store)
    run = await store.reminders.start_run("host:1")
    assert await store.reminders.claim_due(DAY_FIVE, run, batch=2) == CASES
    assert await store.reminders.claim_due(DAY_FIVE, run, batch=2) == 0
    assert await store.reminders.claim_due(DAY_FIVE, run, batch=100) == 0
    sent = []
    while claims := await store.reminders.to_send(run, limit=3):
        assert len(claims) <= 3
        for claim in claims:
            await store.reminders.attempt(claim.id, run)
            await store.reminders.sent(claim.id, "19:channel", f"activity-{claim.id}")
            sent.append(claim.reference)
    assert sorted(sent) == sorted(references)


async def test_a_batch_claims_only_the_schools_open_and_moves_past_the_others(store):
    references = await cases_due(store)
    oakwood = await store.schools.by_urn("900001")
    run = await store.reminders.start_run("host:1")
    assert await store.reminders.claim_due(DAY_FIVE, run, school_ids=[oakwood.id], batch=1) == 4
    claimed = [claim.reference for claim in await store.reminders.to_send(run)]
    assert sorted(claimed) == [ref for n, ref in enumerate(references) if n % 3]
    assert await store.reminders.claim_due(DAY_FIVE, run, batch=1) == CASES - 4, "the others on their school's day"


async def test_a_claim_no_longer_needed_is_not_handed_to_every_later_run(store):
    await cases_due(store, 2)
    run = await store.reminders.start_run("host:1")
    await store.reminders.claim_due(DAY_FIVE, run)
    needed, not_needed = await store.reminders.to_send(run)
    await store.reminders.not_sent(not_needed.id, NOT_NEEDED)
    await store.reminders.not_sent(needed.id, "not posted: 400 BadArgument")
    await store.reminders.end_run(run)
    later = await store.reminders.start_run("host:2")
    assert [claim.id for claim in await store.reminders.to_send(later)] == [needed.id]
