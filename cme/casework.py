"""The steps of working a case: each takes a case and returns the changed case and what to record."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from cme.calendar import SchoolCalendar
from cme.case import Case
from cme.checklist import ENQUIRY_KINDS, MISSING_PUPIL_CHECKLIST, checklist_gaps, enquiry_label
from cme.deadlines import Due, deadlines, done_on, kinds
from cme.lifecycle import Outcome, ProcedureError, State, Step, next_state
from cme.milestones import Break, BreakKind, Milestone, check_break, due_dates, run_number, run_start
from cme.report import Report

NOTIFIED = (("social_care", "Children's social care"), ("police", "Police"), ("social_worker", "The social worker"))


@dataclass(frozen=True)
class Change:
    """A step taken: the case after it, the history entry, and the milestones it moved or completed."""

    case: Case
    event: str
    data: dict
    summary: str
    milestones: dict[Due, date] | None = None
    done: dict[Due, date] | None = None
    reopened: tuple[Milestone, ...] = ()
    # Single milestones added or moved to a date, or removed (None); the others stay as stored.
    moved: dict[Due, date | None] | None = None


def take_step(before: Case, step: Step, today: date, event: str, data: dict, summary: str,
              milestones: dict[Due, date] | None = None, **fields) -> Change:
    after = replace(before, state=next_state(before.state, step), **fields)
    done = {m: today for m in kinds(after) if done_on(after, m) and not done_on(before, m)}
    return Change(after, event, data, summary, milestones, done or None)


def new_case(report: Report, calendar: SchoolCalendar, today: date) -> tuple[Case, dict[Due, date]]:
    case = Case(
        reference="", school_id=report.school_id, state=State.REPORTED, pupil=report.pupil,
        first_day_absent=report.first_day_absent, last_day_attended=report.last_day_attended,
        run_start=report.first_day_absent, risk=report.risk, risk_groups=report.risk_groups,
        reason=report.reason, known_so_far=report.known_so_far, sex=report.sex,
    )
    return case, due_dates(calendar, case.run_start) | deadlines(case, calendar, today)


def log_enquiry(case: Case, kind: str, outcome: str, note: str, today: date) -> Change:
    if kind not in dict(ENQUIRY_KINDS):
        raise ProcedureError("Choose what kind of enquiry it was.")
    if not outcome.strip():
        raise ProcedureError("Say what the enquiry found, even if it was nothing.")
    return take_step(case, Step.LOG_ENQUIRY, today, "enquiry_logged",
                   {"kind": kind, "outcome": outcome.strip()[:1000], "note": note.strip()[:2000]},
                   f"{enquiry_label(kind)} logged", enquiry_kinds=case.enquiry_kinds | {kind},
                   enquiry_dates={**case.enquiry_dates, kind: today})


# What a run of continuous absence needs afresh: recorded before the run began, it belonged to an earlier run.
RUN_ACTIONS = ("triage_recorded_on", "ews_contacted_on", "checklist_completed_on", "day20_review_on",
               "cme_referral_on")


def new_run(case: Case, start: date) -> dict:
    """The fields of a case whose current run began on `start`: the actions and enquiries of earlier runs set aside
    (they stay in the history), and the legal tests to confirm again."""
    fields: dict = {name: None for name in RUN_ACTIONS if (getattr(case, name) or start) < start}
    fields["enquiry_kinds"] = frozenset(kind for kind, on in case.enquiry_dates.items()
                                        if on >= start and kind in case.enquiry_kinds)
    fields["legal_tests"] = None
    return fields


def record_break(case: Case, kind: BreakKind, on: date, calendar: SchoolCalendar, today: date) -> Change:
    """A break restarts the count: the run after it is a new run, with its own Day 5, Day 20 and preconditions."""
    check_break(calendar, case.first_day_absent, on, today)
    if any(b.on == on for b in case.breaks):
        raise ProcedureError(f"A break on {on:%-d %B %Y} is recorded already.")
    breaks = tuple(sorted(case.breaks + (Break(on, kind),), key=lambda b: b.on))
    start = run_start(calendar, case.first_day_absent, breaks)
    run = run_number(calendar, case.first_day_absent, breaks)
    fields = new_run(case, start) if start != case.run_start else {}
    set_aside = sorted(name for name in RUN_ACTIONS if name in fields)
    return take_step(case, Step.RECORD_BREAK, today, "break_recorded",
                   {"on": on.isoformat(), "kind": kind.value, "count_restarts_on": start.isoformat(), "run": run,
                    "previous_run_began": case.run_start.isoformat(), "set_aside": set_aside},
                   f"Break recorded ({kind.label} on {on:%-d %B}): the count restarts on {start:%A %-d %B}. "
                   f"Run {run} of the absence began then, with its own Day 5 and Day 20",
                   milestones=due_dates(calendar, start) | deadlines(
                       replace(case, breaks=breaks, run_start=start, **fields), calendar, today),
                   breaks=breaks, run_start=start, **fields)


def record_triage(case: Case, notified: list[str], when: str, details: str, today: date) -> Change:
    if not case.risk.at_risk:
        raise ProcedureError("This case has no Day 1 risk to notify.")
    known = dict(NOTIFIED)
    if not notified or any(who not in known for who in notified):
        raise ProcedureError("Tick who was notified: children's social care, the police or the social worker.")
    if not when.strip():
        raise ProcedureError("Say when they were notified.")
    return take_step(case, Step.RECORD_TRIAGE, today, "risk_notified",
                   {"notified": notified, "when": when.strip()[:40], "details": details.strip()[:1000]},
                   "Notified: " + ", ".join(known[w] for w in notified), triage_recorded_on=today)


def contact_ews(case: Case, note: str, today: date) -> Change:
    if case.ews_contacted_on:
        raise ProcedureError(f"The Education Welfare Service was recorded as contacted on {case.ews_contacted_on}.")
    return take_step(case, Step.CONTACT_EWS, today, "ews_contacted", {"note": note.strip()[:1000]},
                   "Education Welfare Service contacted", ews_contacted_on=today)


def complete_checklist(case: Case, confirmed: set[str], today: date) -> Change:
    gaps = checklist_gaps(confirmed)
    if gaps:
        raise ProcedureError("The missing pupil checklist is not complete. Still to confirm: " + "; ".join(gaps) + ".")
    fields = {"checklist_completed_on": today}
    if case.ews_contacted_on is None:
        fields["ews_contacted_on"] = today
    return take_step(case, Step.COMPLETE_CHECKLIST, today, "checklist_completed",
                   {"confirmed": [key for key, _ in MISSING_PUPIL_CHECKLIST]}, "Missing pupil checklist completed",
                   **fields)


def review_day_20(case: Case, note: str, calendar: SchoolCalendar, today: date) -> Change:
    day_20 = calendar.date_of_day(case.run_start, Milestone.DAY_20.day)
    if today < day_20:
        raise ProcedureError(f"The Day 20 review is due on {day_20:%A %-d %B %Y}; the pupil is at Day "
                             f"{calendar.day_number(case.run_start, today)} of continuous absence.")
    return take_step(case, Step.REVIEW_DAY_20, today, "day20_reviewed", {"note": note.strip()[:2000]},
                   "Day 20 review with EWS recorded", day20_review_on=today)


def complete_cme_referral(case: Case, note: str, today: date) -> Change:
    if case.cme_referral_on:
        raise ProcedureError(f"The CME referral was completed on {case.cme_referral_on}.")
    return take_step(case, Step.COMPLETE_CME_REFERRAL, today, "cme_referral_completed", {"note": note.strip()[:2000]},
                   "CME referral completed and sent to the tracking officer", cme_referral_on=today)


def record_outcome(case: Case, outcome: Outcome, today: date, *, new_school: str = "", start_date: date | None = None,
                   forwarding_address: str = "", by_tracking_officer: bool = False) -> Change:
    """Close the case, except a pupil found outside the area, whom the school refers to the tracking officer."""
    data: dict = {"outcome": outcome.value}
    if outcome is Outcome.REMOVED_FROM_ROLL:
        raise ProcedureError("Removal from roll is agreed with the tracking officer: request it from the case card.")
    if outcome is Outcome.ON_ROLL_ELSEWHERE:
        if not new_school.strip() or start_date is None:
            raise ProcedureError("Give the new school's name and the date the pupil started there.")
        data |= {"new_school": new_school.strip()[:200], "start_date": start_date.isoformat()}
    if outcome is Outcome.LOCATED_OUTSIDE_AREA:
        if not (forwarding_address.strip() or case.forwarding_address):
            raise ProcedureError("Give the forwarding address, so the tracking officer can contact that area.")
        address = forwarding_address.strip()[:300] or case.forwarding_address
        data["forwarding_address"] = address
        if not by_tracking_officer:
            return take_step(case, Step.LOCATED_OUTSIDE_AREA, today, "located_outside_area", data,
                           "Located outside the area: referred to the tracking officer with the forwarding address",
                           forwarding_address=address, cme_referral_on=case.cme_referral_on or today)
    return take_step(case, Step.RECORD_OUTCOME, today, "outcome_recorded", data, f"Closed: {outcome.label}",
                   outcome=outcome, new_school=data.get("new_school", case.new_school),
                   forwarding_address=data.get("forwarding_address", case.forwarding_address))
