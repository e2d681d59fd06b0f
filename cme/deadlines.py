"""Deadlines beside Day 5 and Day 20: the Day 1 risk notifications, and telling the tracking officer that a
pupil has left (policy 8.4.1). Stored and reminded like milestones, by case reference only.

- The notifications: a yes to any Day 1 risk question asks for children's social care and/or the police
  now and the social worker at once. Who was told is to be recorded by the end of the school day the
  answer was given (for a later run of absence, its Day 1 or the day the run became known, if later).
  The next daily run, on the next school day, reminds; until recorded it is overdue.
- The 1 to 10 day notice: when the pupil has left (the report's reason says so) and no new school has
  asked for their file, the school tells the CME Pupil Tracking Officer within 10 school days of the
  last day attended, by the CME referral with the checklist (policy 8.4.1: "having once completed the
  referral form and checklist"). Told is recorded as the CME referral. From that date the case is the
  officer's, in their `my cases`, whether the school has told them or not.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from cme.calendar import ONE_DAY, CalendarError, SchoolCalendar
from cme.case import Case
from cme.milestones import BreakKind, Milestone

# Reasons on the report (cme.at_risk.MISSING_REASONS) that say the pupil has left the school.
LEFT_REASONS = frozenset({"moved_no_school", "withdrawn_no_alternative"})
NOTICE_DAYS = 10
POLICY_NOTICE = "policy 8.4.1"


class Deadline(StrEnum):
    RISK_NOTIFIED = "triage"
    OFFICER_TOLD = "la_notice"
    LPD_REVIEW = "lpd_review"  # a child not located: the authority's review (cme/tracking.py), never a school's

    @property
    def label(self) -> str:
        if self is Deadline.RISK_NOTIFIED:
            return "Day 1 risk notifications"
        if self is Deadline.LPD_REVIEW:
            return "Lost Pupils Database review"
        return "Tell the tracking officer"

    @property
    def action(self) -> str:
        if self is Deadline.RISK_NOTIFIED:
            return ("a Day 1 risk question was answered yes: record who was notified (children's social care, "
                    "the police, the social worker) and when")
        if self is Deadline.LPD_REVIEW:
            return "review the child not located: record where they are, or review again"
        return (f"the pupil has left and no new school has asked for their file: complete the checklist and the "
                f"CME referral, which tells the CME Pupil Tracking Officer ({POLICY_NOTICE})")

    @property
    def end_of_day(self) -> bool:
        """Due by the end of its day, so reminded from the next school day; else reminded on the day."""
        return self is Deadline.RISK_NOTIFIED


Due = Milestone | Deadline


def kind_of(value: str) -> Due:
    """A stored milestone's kind: Day 5, Day 20 or one of the deadlines."""
    try:
        return Milestone(value)
    except ValueError:
        return Deadline(value)


def done_on(case: Case, kind: Due) -> date | None:
    """When the action a milestone or deadline asks for was recorded; None while it is not."""
    if kind is Deadline.RISK_NOTIFIED:
        return case.triage_recorded_on
    if kind is Deadline.OFFICER_TOLD:
        return case.cme_referral_on
    if kind is Deadline.LPD_REVIEW:
        return None  # done when the child is located or reviewed again (cme/tracking.py says so)
    return case.milestone_done_on(kind)


def kinds(case: Case) -> tuple[Due, ...]:
    """Day 5, Day 20 and the deadlines the case has."""
    return (*Milestone, *([Deadline.RISK_NOTIFIED] if case.risk.at_risk else []),
            *([Deadline.OFFICER_TOLD] if has_left(case) else []))


def has_left(case: Case) -> bool:
    return case.reason in LEFT_REASONS and case.school_id is not None


def last_attended(case: Case, calendar: SchoolCalendar) -> date:
    """The last day the pupil attended: the report's, a later attended break, or the school day before Day 1."""
    attended = [b.on for b in case.breaks if b.kind is BreakKind.ATTENDED]
    known = [d for d in (case.last_day_attended, *attended) if d is not None]
    return max(known) if known else calendar.previous_school_day(case.first_day_absent)


def officer_told_by(case: Case, calendar: SchoolCalendar) -> date | None:
    """The 10th school day after the last day attended; None while it falls past the term dates."""
    try:
        first = calendar.next_school_day(last_attended(case, calendar))
    except CalendarError:
        return None
    return calendar.known_date_of_day(first, NOTICE_DAYS)


def deadlines(case: Case, calendar: SchoolCalendar, answered_on: date) -> dict[Deadline, date]:
    """The deadlines of the case's current run as stored (one past the term dates: the day after they end, as
    milestones are). `answered_on`: the day the Day 1 answers were given, or the current run became known."""
    risk = {Deadline.RISK_NOTIFIED: max(answered_on, case.run_start)} if case.risk.at_risk else {}
    return risk | calendar_deadlines(case, calendar)


def calendar_deadlines(case: Case, calendar: SchoolCalendar) -> dict[Deadline, date]:
    """The deadlines counted in school days (to move when new term dates are imported)."""
    if not has_left(case):
        return {}
    told_by = officer_told_by(case, calendar)
    if told_by is None and calendar.known_until is not None:
        told_by = calendar.known_until + ONE_DAY
    return {Deadline.OFFICER_TOLD: told_by} if told_by else {}


def with_officer_from(case: Case, calendar: SchoolCalendar) -> date | None:
    """From when the case is the tracking officer's for policy 8.4.1 (None: it is not, or not known yet)."""
    return officer_told_by(case, calendar) if has_left(case) else None


def looked_after_contradiction(case: Case) -> bool:
    """The at-risk tag "looked after" set while the Day 1 answer said the child is not looked after."""
    return "looked_after" in case.risk_groups and not case.risk.looked_after
