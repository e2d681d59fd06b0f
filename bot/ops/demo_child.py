"""The demonstration's child out of provision (`cme-bot demo load --with-child`, which `make run` uses): a fictional
pupil of Oakwood Primary School (fictional), Example Borough, reported by Sam Staff, worked up to removal from roll
(Tara Tracker agrees it) by the same domain functions the cards call, each step one history entry by whom the real
card would record it. So in the demonstration Tara finds the child on her register at once and can record "located
outside the area" and hand them to Northfield Council (fictional), whose Nadia North accepts (cme/handoff.py).

The dates run back from `today` on the school's calendar: Day 1 twenty-two school days before the off-roll date,
which is two school days ago. Loading again adds nothing (the report's submission key)."""

from __future__ import annotations

from datetime import date

from bot.calendars import Calendars
from cme.calendar import CalendarError, SchoolCalendar
from cme.case import Carer, Case, Pupil, Risk
from cme.casework import (
    Change,
    complete_checklist,
    complete_cme_referral,
    contact_ews,
    log_enquiry,
    new_case,
    review_day_20,
)
from cme.checklist import MISSING_PUPIL_CHECKLIST
from cme.milestones import Milestone
from cme.removal import LEGAL_TESTS, agree_removal, confirm_removed, request_removal
from cme.report import Report
from storage.cases import Actor, NewEvent, Recorded
from storage.store import Store

SUBMISSION_KEY = "demo:child-out-of-provision"
SCHOOL_URN = "900001"  # Oakwood Primary School (fictional)
SAM = Actor("00000000-0000-4000-8000-000000000a01", "Sam Staff")
TARA = Actor("00000000-0000-4000-8000-000000000a04", "Tara Tracker")
PUPIL = Pupil("Pip", "Fictional-Demo", date(2017, 5, 14), upn="", year_group="Year 4",
              address="12 Pretend Close, Example Borough", postcode="ZZ1 1ZZ",
              carers=(Carer("Pat Fictional-Demo", "07700 900456", "parent"),))
REQUEST = "demo-request-1"


def _back(calendar: SchoolCalendar, day: date, school_days: int) -> date:
    for _ in range(school_days):
        day = calendar.previous_school_day(day)
    return day


async def _step(store: Store, case: Case, change: Change, actor: Actor, n: int) -> Case:
    result = await store.cases.record(change.case, NewEvent(change.event, change.data, actor, key=f"demo-child:{n}"),
                                      change.milestones, change.done, change.reopened, moved=change.moved)
    if result is Recorded.CONFLICT:
        raise RuntimeError(f"the demonstration child's step {change.event} did not save")
    return await store.cases.get(case.reference)


async def add_demo_child(store: Store, calendars: Calendars, today: date) -> list[str]:
    """The child, removed from roll two school days before `today` and out of provision at Example Borough."""
    school = await store.schools.by_urn(SCHOOL_URN)
    if school is None:
        return ["demonstration child not added: load the demonstration schools first"]
    try:
        calendar = calendars.for_school(school)
        off_roll = _back(calendar, today, 2)
        day_1 = _back(calendar, off_roll, 20)  # the off-roll date is Day 21
        day_20 = calendar.date_of_day(day_1, Milestone.DAY_20.day)
        report = Report(PUPIL, school.id, day_1, calendar.previous_school_day(day_1),
                        "Neighbours say the family moved to Northfield (fictional) in the half term.",
                        "moved_no_school", (), Risk())
    except CalendarError as error:
        return [f"demonstration child not added: {error}"]
    case, due = new_case(report, calendar, day_1)
    case.authority_id = school.authority_id
    case, created = await store.cases.create(case, NewEvent("reported", {"day": 1, "school_id": school.id}, SAM),
                                             due, submission_key=SUBMISSION_KEY)
    if not created:
        return [f"demonstration child {case.reference} there already"]
    day_2, day_3 = calendar.next_school_day(day_1), calendar.date_of_day(day_1, 3)
    steps = [
        (lambda c: log_enquiry(c, "phone_call", "No answer on either number.", "", day_1), SAM),
        (lambda c: log_enquiry(c, "home_visit", "House empty; a neighbour says they moved away.", "", day_2), SAM),
        (lambda c: contact_ews(c, "Ewan Welfare told by phone.", day_3), SAM),
        (lambda c: complete_checklist(c, {key for key, _ in MISSING_PUPIL_CHECKLIST}, day_3), SAM),
        (lambda c: review_day_20(c, "Reviewed with EWS: not found.", calendar, day_20), SAM),
        (lambda c: complete_cme_referral(c, "Referred to the tracking officer.", day_20), SAM),
        (lambda c: request_removal(c, calendar, day_20, REQUEST, [key for key, _, _ in LEGAL_TESTS], SAM.name), SAM),
        (lambda c: agree_removal(c, calendar, off_roll, REQUEST, REQUEST), TARA),
        (lambda c: confirm_removed(c, off_roll, off_roll, off_roll), SAM),
    ]
    for n, (decide, actor) in enumerate(steps, 1):
        case = await _step(store, case, decide(case), actor, n)
    return [f"demonstration child {case.reference}: removed from roll on {off_roll:%-d %B %Y}, out of provision at "
            f"{school.authority}"]
