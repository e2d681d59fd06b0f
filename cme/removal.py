"""Removal from roll: requested by the school or EWS from Day 20, agreed by the CME Pupil Tracking Officer.

In law the school deletes the name and the local authority agrees (SI 2024/208, regulation 9(1)(i)):
the word is "agree". The ground is at least twenty continuous school days of absence, so removal may be
requested on Day 20 (after that day's review) but agreed no earlier than Day 21, when the twentieth
day's sessions are over. The off-roll date is the date of agreement: a school day, never earlier than
Day 21, never back-dated. A date past the term dates in force is not known, so nothing is agreed on it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

from cme.calendar import NotKnownYet, SchoolCalendar
from cme.case import Case, LegalTests
from cme.casework import Change, take_step
from cme.checklist import enquiry_label
from cme.lifecycle import Outcome, ProcedureError, State, Step
from cme.milestones import Milestone

CONTINUOUS_DAYS = 20
AGREEMENT_DAY = CONTINUOUS_DAYS + 1
LAW = ("regulation 9(1)(i) of the School Attendance (Pupil Registration) (England) Regulations 2024 and the "
       "statutory guidance Children missing education (September 2025)")
# The enquiries every case needs before removal; the others are "where appropriate" (policy 8.2) and the
# completed missing pupil checklist confirms them.
CORE_ENQUIRIES = ("phone_call", "home_visit")

# The deletion return first: regulation 13(4) wants it as soon as the ground is met, no later than the deletion.
AFTER_AGREEMENT = (
    "Send the deletion return to the local authority now, before the name is deleted (regulation 13(4)): the "
    "pupil's full name and address; the name and address of each parent the pupil lives with and at least one "
    "emergency telephone number for each; any new address, new school and start date known.",
    "Remove the pupil as a leaver in your MIS, with the destination **Lost Pupils**: LA code **XXX**, "
    "establishment **XXXX**. The off-roll date is the date of agreement below, not earlier.",
    "Create a Common Transfer File (CTF) and upload it to School-to-School (S2S) with the destination "
    "**XXXXXXX** (seven X's): it goes to the Lost Pupils Database.",
    "Pass the missing pupil checklist and the CME referral form to the tracking officer, if not done yet.",
)

# Regulation 9(1)(i) of the 2024 regulations, besides the twenty days: (key, precondition, what the school confirms).
LEGAL_TESTS = (
    ("unauthorised_sessions", "Every session unauthorised (G, N or O)",
     "Every session of this absence is recorded as unauthorised absence (code G, N or O)."),
    ("no_sickness_grounds", "No grounds to believe sickness or an unavoidable cause",
     "The school has no reasonable grounds to believe the pupil is unable to attend because of sickness or an "
     "unavoidable cause."),
    ("joint_enquiries", "Joint reasonable enquiries by the school and the local authority",
     "The school and the local authority have jointly made reasonable enquiries and not found the pupil."),
)

CTF_SENT = "the Common Transfer File was uploaded to S2S for the Lost Pupils Database"
RETURN_SENT = "the deletion return was sent to the local authority"

DECISION_EVENTS = {"removal_agreed": "agreed", "removal_declined": "declined",
                   "more_enquiries_asked": "asked for more enquiries"}


@dataclass(frozen=True)
class Precondition:
    label: str
    met: bool
    detail: str


def earliest_off_roll_date(case: Case, calendar: SchoolCalendar, today: date) -> date | None:
    """The first date removal could be agreed and the name deleted: Day 21, or the first school day from
    today once Day 21 has passed; None while that date lies past the term dates (not known yet)."""
    day_21 = calendar.known_date_of_day(case.run_start, AGREEMENT_DAY)
    if day_21 is None or today <= day_21:
        return day_21
    earliest = calendar.school_day_on_or_after(today) if calendar.is_known(today) else None
    return earliest if earliest and calendar.is_known(earliest) else None


def _continuous(case: Case, calendar: SchoolCalendar, today: date) -> Precondition:
    day = calendar.day_number(case.run_start, today)
    breaks = "; ".join(f"{b.kind.label} on {b.on:%-d %B}" for b in case.breaks)
    detail = f"Day {day} since {case.run_start:%-d %B %Y}" + (f" (breaks: {breaks})" if breaks else "")
    if not calendar.is_known(today):
        detail += (f"; by {calendar.known_until:%-d %B %Y}, the last date the term dates cover (today's count is "
                   f"not known yet: {calendar.unknown_reason})")
    elif day < AGREEMENT_DAY:
        day_21 = calendar.known_date_of_day(case.run_start, AGREEMENT_DAY)
        detail += (f"; agreement from Day {AGREEMENT_DAY}, {day_21:%A %-d %B %Y}" if day_21 else
                   f"; the date of Day {AGREEMENT_DAY} is not known yet: {calendar.unknown_reason}")
    return Precondition(f"{CONTINUOUS_DAYS} continuous school days completed", day >= AGREEMENT_DAY, detail)


def _legal_tests(case: Case) -> list[Precondition]:
    tests = case.legal_tests
    return [Precondition(label, tests is not None and key in tests.confirmed,
                         f"confirmed by {tests.by} on {tests.on:%-d %B %Y}"
                         if tests is not None and key in tests.confirmed else "not confirmed by the school")
            for key, label, _ in LEGAL_TESTS]


def preconditions(case: Case, calendar: SchoolCalendar, today: date) -> list[Precondition]:
    """What must be true before removal from roll can be agreed, each with its state in words."""
    logged = [enquiry_label(kind) for kind in sorted(case.enquiry_kinds)]
    missing_core = [enquiry_label(kind) for kind in CORE_ENQUIRIES if kind not in case.enquiry_kinds]

    def on(value: date | None) -> str:
        return f"{value:%-d %B %Y}" if value else "not yet"

    return [
        _continuous(case, calendar, today),
        Precondition("Day 1-5 enquiries logged", not missing_core,
                     ("; ".join(logged) if logged else "none logged")
                     + (f" (still needed: {', '.join(missing_core)})" if missing_core else "")),
        Precondition("Education Welfare Service contacted", case.ews_contacted_on is not None,
                     on(case.ews_contacted_on)),
        Precondition("Day 20 review with EWS", case.day20_review_on is not None, on(case.day20_review_on)),
        Precondition("CME referral completed", case.cme_referral_on is not None, on(case.cme_referral_on)),
        Precondition("Missing pupil checklist complete", case.checklist_completed_on is not None,
                     on(case.checklist_completed_on)),
        *_legal_tests(case),
    ]


def unmet(case: Case, calendar: SchoolCalendar, today: date) -> list[Precondition]:
    return [p for p in preconditions(case, calendar, today) if not p.met]


def _confirmation(confirmed: Iterable[str], by: str, today: date) -> LegalTests:
    """The school's confirmation of every test of regulation 9(1)(i), or a refusal naming those not confirmed."""
    confirmed = frozenset(confirmed)
    missing = [question for key, _, question in LEGAL_TESTS if key not in confirmed]
    if missing:
        raise ProcedureError("Removal from roll can be requested only when the school confirms the tests of "
                             "regulation 9(1)(i) of the 2024 regulations. Not confirmed: " + " ".join(missing)
                             + " If one is not true, the pupil cannot be removed on this ground: continue the "
                             "enquiries.")
    return LegalTests(confirmed, by, today)


def _tests_data(tests: LegalTests) -> dict:
    return {"legal_tests": [key for key, _, _ in LEGAL_TESTS if key in tests.confirmed],
            "legal_tests_by": tests.by, "legal_tests_on": tests.on.isoformat()}


def confirm_legal_tests(case: Case, confirmed: Iterable[str], by: str, today: date) -> Change:
    """The school confirms the tests of regulation 9(1)(i) ahead of its request; recorded with who and when."""
    tests = _confirmation(confirmed, by, today)
    return take_step(case, Step.CONFIRM_LEGAL_TESTS, today, "legal_tests_confirmed", _tests_data(tests),
                     "The legal tests of regulation 9(1)(i) confirmed", legal_tests=tests)


def request_removal(case: Case, calendar: SchoolCalendar, today: date, request_id: str,
                    confirmed: Iterable[str] | None = None, by: str = "") -> Change:
    """From Day 20, with the tests of regulation 9(1)(i) confirmed now (`confirmed`, by `by`) or earlier in this run;
    unmet preconditions are shown to the tracking officer, who cannot agree until they are met."""
    try:
        day_20 = calendar.date_of_day(case.run_start, CONTINUOUS_DAYS)
    except NotKnownYet:
        raise ProcedureError(f"Removal from roll cannot be requested yet: the date of Day {CONTINUOUS_DAYS} is not "
                             f"known, because {calendar.unknown_reason}.") from None
    if today < day_20:
        raise ProcedureError(f"Removal from roll can be requested from Day 20 of continuous absence, "
                             f"{day_20:%A %-d %B %Y}.")
    if case.state is State.REMOVAL_REQUESTED:
        raise ProcedureError("Removal from roll is already requested: the tracking officer has the request.")
    tests = case.legal_tests if confirmed is None and case.legal_tests else _confirmation(confirmed or (), by, today)
    return take_step(case, Step.REQUEST_REMOVAL, today, "removal_requested", {"request": request_id,
                                                                              **_tests_data(tests)},
                   "Removal from roll requested from the CME Pupil Tracking Officer", removal_requested_on=today,
                   legal_tests=tests)


def _decided(case: Case, request_id: str, current_request: str) -> None:
    if request_id != current_request or case.state is not State.REMOVAL_REQUESTED:
        raise ProcedureError("This request has been decided already.")


def agree_removal(case: Case, calendar: SchoolCalendar, today: date, request_id: str,
                  current_request: str) -> Change:
    _decided(case, request_id, current_request)
    missing = unmet(case, calendar, today)
    if missing:
        raise ProcedureError("Removal from roll cannot be agreed yet. Still missing: "
                             + "; ".join(f"{p.label} ({p.detail})" for p in missing) + ".")
    if not calendar.is_known(today):
        raise ProcedureError("Removal from roll cannot be agreed today: the off-roll date must be a school day, "
                             f"and whether the school is open today is not known, because {calendar.unknown_reason}.")
    if not calendar.is_school_day(today):
        raise ProcedureError(f"Removal from roll cannot be agreed today: the off-roll date is the date of agreement "
                             f"and must be a school day; {today:%A %-d %B %Y} is not ({calendar.closure_on(today)}). "
                             f"Agree it on {calendar.next_school_day(today):%A %-d %B %Y} or later.")
    return take_step(case, Step.AGREE_REMOVAL, today, "removal_agreed",
                   {"request": request_id, "off_roll_date": today.isoformat()},
                   f"Removal from roll agreed; off-roll date {today:%-d %B %Y}", off_roll_date=today)


def decline_removal(case: Case, today: date, request_id: str, current_request: str, reason: str) -> Change:
    _decided(case, request_id, current_request)
    if not reason.strip():
        raise ProcedureError("Give the reason for declining: the school is told it.")
    return _reopen(case, Step.DECLINE_REMOVAL, today, "removal_declined", request_id, reason,
                   "Removal from roll declined")


def ask_more_enquiries(case: Case, today: date, request_id: str, current_request: str, what: str) -> Change:
    _decided(case, request_id, current_request)
    if not what.strip():
        raise ProcedureError("Say which enquiries the school should make.")
    return _reopen(case, Step.ASK_MORE_ENQUIRIES, today, "more_enquiries_asked", request_id, what,
                   "More enquiries asked for")


def _reopen(case: Case, step: Step, today: date, event: str, request_id: str, why: str, summary: str) -> Change:
    """Back to enquiries: the Day 20 review is due again, so the reminders continue until it is recorded."""
    change = take_step(case, step, today, event, {"request": request_id, "why": why.strip()[:2000]},
                     f"{summary}: {why.strip()[:200]}", day20_review_on=None, removal_requested_on=None,
                     legal_tests=None)
    return replace(change, reopened=(Milestone.DAY_20,))


def _done_on(what: str, on: date | None, agreed: date, today: date) -> date:
    if on is None:
        raise ProcedureError(f"Give the date {what}.")
    if on > today:
        raise ProcedureError(f"The date {what} cannot be after today, {today:%-d %B %Y}.")
    if on < agreed:
        raise ProcedureError(f"The date {what} cannot be before removal was agreed, {agreed:%-d %B %Y}.")
    return on


def confirm_removed(case: Case, today: date, ctf_sent_on: date | None = None,
                    return_sent_on: date | None = None) -> Change:
    """The school deleted the name: with the dates its Common Transfer File went to the Lost Pupils Database
    (through S2S) and its deletion return (regulation 13(4)) went to the local authority. The school's part
    closes; the child stays on the authority's register, out of provision (cme/tracking.py)."""
    if case.state is not State.REMOVAL_AGREED or case.off_roll_date is None:
        raise ProcedureError("Removal from roll has not been agreed by the tracking officer.")
    agreed = case.off_roll_date
    ctf = _done_on(CTF_SENT, ctf_sent_on, agreed, today)
    returned = _done_on(RETURN_SENT, return_sent_on, agreed, today)
    return take_step(case, Step.CONFIRM_REMOVED, today, "removed_from_roll",
                   {"off_roll_date": agreed.isoformat(), "ctf_sent_on": ctf.isoformat(),
                    "deletion_return_on": returned.isoformat()},
                   f"Closed for the school: removed from roll on {agreed:%-d %B %Y}; deletion return made on "
                   f"{returned:%-d %B %Y}; Common Transfer File sent to the Lost Pupils Database on {ctf:%-d %B %Y}. "
                   "The child stays on the local authority's register, out of provision",
                   outcome=Outcome.REMOVED_FROM_ROLL, ctf_sent_on=ctf, deletion_return_on=returned)
