"""The deadlines beside Day 5 and Day 20 are claimed like them, once: the Day 1 risk notifications from the school
day after the answer, the tracking officer's notice (policy 8.4.1) on its date; overdue until recorded; and the
notice puts the case in the tracking officer's list from its date."""

from __future__ import annotations

from datetime import date

from cme.calendar import Closure, SchoolCalendar
from cme.case import Case, Pupil, Risk
from cme.casework import complete_cme_referral, record_triage
from cme.deadlines import Deadline, deadlines
from cme.lifecycle import State
from cme.milestones import Milestone, due_dates
from storage.cases import Actor, NewEvent, Recorded

CALENDAR = SchoolCalendar("Oakwood Primary School (fictional)", closures=(
    Closure("Autumn half term", date(2026, 10, 26), date(2026, 10, 30)),))
MONDAY, TUESDAY, WEDNESDAY = date(2026, 11, 2), date(2026, 11, 3), date(2026, 11, 4)
NOTICE = date(2026, 11, 13)  # the 10th school day after Friday 23 October, across half term
SAM = Actor("00000000-0000-0000-0000-0000000000a1", "Sam School")


async def reported(store, school_id: int, forename: str, **fields) -> Case:
    case = Case(reference="", school_id=school_id, state=State.REPORTED, pupil=Pupil(forename, "Imaginary"),
                first_day_absent=MONDAY, run_start=MONDAY, **fields)
    case, _ = await store.cases.create(case, NewEvent("reported", {}, SAM),
                                       due_dates(CALENDAR, MONDAY) | deadlines(case, CALENDAR, MONDAY))
    return case


async def school(store):
    return await store.schools.add("900001", "Oakwood Primary School (fictional)", "Example Borough Council",
                                   actor="test")


async def test_notifications_not_recorded_by_the_end_of_the_day_are_claimed_once_the_next_day(store):
    oak = await school(store)
    case = await reported(store, oak.id, "Eli", risk=Risk(child_protection_plan=True))
    run = await store.reminders.start_run("host:1")
    assert await store.reminders.claim_due(MONDAY, run) == 0, "the school day of the answer is not over"
    assert [(o.reference, o.milestone) for o in await store.reminders.overdue(MONDAY)] == []

    assert await store.reminders.claim_due(TUESDAY, run) == 1
    assert await store.reminders.claim_due(TUESDAY, await store.reminders.start_run("host:2")) == 0
    [claim] = await store.reminders.to_send(run)
    assert (claim.reference, claim.milestone, claim.due_on) == (case.reference, Deadline.RISK_NOTIFIED, MONDAY)
    assert [(o.reference, o.milestone) for o in await store.reminders.overdue(TUESDAY)] == [
        (case.reference, Deadline.RISK_NOTIFIED)]

    change = record_triage(case, ["social_care"], "3 November 09:10", "", TUESDAY)
    assert await store.cases.record(change.case, NewEvent("risk_notified", change.data, SAM),
                                    done=change.done) is Recorded.DONE
    assert await store.reminders.overdue(WEDNESDAY) == []
    assert await store.reminders.claim_due(WEDNESDAY, run) == 0


async def test_the_tracking_officer_notice_is_due_on_its_date_and_the_case_joins_their_list_then(store):
    oak = await school(store)
    left = await reported(store, oak.id, "Fen", reason="moved_no_school", last_day_attended=date(2026, 10, 23))
    absent = await reported(store, oak.id, "Gus")
    assert (await store.cases.milestones(left.id))[Deadline.OFFICER_TOLD] == (NOTICE, None)

    run = await store.reminders.start_run("host:1")
    assert await store.reminders.claim_due(date(2026, 11, 12), run) == 2, "the two Day 5s only"
    assert await store.reminders.claim_due(NOTICE, run) == 1
    assert await store.reminders.claim_due(NOTICE, run) == 0
    assert [(c.reference, c.milestone) for c in await store.reminders.to_send(run)
            if c.milestone is Deadline.OFFICER_TOLD] == [(left.reference, Deadline.OFFICER_TOLD)]

    async def officers_list(today):
        return [c.reference for c in (await store.cases.open_page(today, with_the_officer=True))[1]]

    assert await officers_list(date(2026, 11, 12)) == []
    assert await officers_list(NOTICE) == [left.reference]

    change = complete_cme_referral(absent, "Untraced", NOTICE)
    assert await store.cases.record(change.case, NewEvent(change.event, change.data, SAM),
                                    done=change.done) is Recorded.DONE
    assert sorted(await officers_list(NOTICE)) == sorted([left.reference, absent.reference]), "referred"
    told = complete_cme_referral(left, "Checklist attached", date(2026, 11, 16))
    await store.cases.record(told.case, NewEvent(told.event, told.data, SAM), done=told.done)
    assert [o.milestone for o in await store.reminders.overdue(date(2026, 11, 17))
            if o.case_id == left.id] == [Milestone.DAY_5], "told: only its Day 5 is overdue"
