"""After removal from roll the local authority keeps the child (policy 6.1, 8.4): the child stays on its register,
out of provision, until the CME Pupil Tracking Officer records where they are, one step each:

on roll at a school, in elective home education, in other provision, located outside the area (the receiving
authority, when and how it was told, the forwarding address), left England, or not located after the checks
(on the Lost Pupils Database, with a review date: the child stays on the register, reviewed on that date).
"""

from __future__ import annotations

from datetime import date, timedelta

from cme.case import Case
from cme.casework import Change, take_step
from cme.deadlines import Deadline
from cme.lifecycle import Outcome, ProcedureError, State, Step

# Unless the officer sets another date, a child not located is reviewed this long after (the authority decides).
DEFAULT_REVIEW = timedelta(weeks=12)
LONGEST_REVIEW = timedelta(weeks=52)
HOW_TOLD = (("secure_email", "Secure e-mail"), ("phone", "Telephone"), ("letter", "Letter"),
            ("school2school", "School-to-School (S2S)"), ("other", "Other"))


def default_review_date(today: date) -> date:
    return today + DEFAULT_REVIEW


def _text(value: str, what: str, limit: int = 300) -> str:
    value = value.strip()
    if not value:
        raise ProcedureError(f"Give {what}.")
    return value[:limit]


def _not_after_today(on: date | None, what: str, today: date) -> date:
    if on is None:
        raise ProcedureError(f"Give the date {what}.")
    if on > today:
        raise ProcedureError(f"The date {what} cannot be after today, {today:%-d %B %Y}.")
    return on


def _located(case: Case, outcome: Outcome, today: date, data: dict, summary: str, **fields) -> Change:
    """The child is found: the register entry closes, and a review that was due is done."""
    change = take_step(case, Step.RECORD_LOCATED, today, "tracking_outcome", {"outcome": outcome.value, **data},
                       f"Closed by the local authority: {summary}", outcome=outcome, **fields)
    if case.state is State.NOT_LOCATED:
        return Change(change.case, change.event, change.data, change.summary, done={Deadline.LPD_REVIEW: today})
    return change


def on_roll_at_school(case: Case, school: str, start_date: date | None, today: date) -> Change:
    """On roll at a school: the school's name (one of the deployment's, or typed) and when the child started."""
    name = _text(school, "the school's name", 200)
    started = _not_after_today(start_date, "the child started there", today)
    return _located(case, Outcome.ON_ROLL_ELSEWHERE, today, {"new_school": name, "start_date": started.isoformat()},
                    f"on roll at {name} from {started:%-d %B %Y}", new_school=name)


def elective_home_education(case: Case, since: date | None, note: str, today: date) -> Change:
    started = _not_after_today(since, "elective home education began", today)
    return _located(case, Outcome.ELECTIVE_HOME_EDUCATION, today,
                    {"since": started.isoformat(), "note": note.strip()[:1000]},
                    f"in elective home education from {started:%-d %B %Y}")


def other_provision(case: Case, provision: str, since: date | None, today: date) -> Change:
    name = _text(provision, "the provision (its name and kind)")
    started = _not_after_today(since, "the child started there", today)
    return _located(case, Outcome.OTHER_PROVISION, today, {"provision": name, "since": started.isoformat()},
                    f"in other provision ({name}) from {started:%-d %B %Y}")


def located_outside_area(case: Case, receiving_authority: str, told_on: date | None, told_how: str,
                         forwarding_address: str, today: date) -> Change:
    """Handed to another authority (policy 8.4.2): whom, when and how they were told, and where the child lives."""
    authority = _text(receiving_authority, "the receiving local authority", 200)
    told = _not_after_today(told_on, "the receiving authority was told", today)
    if told_how not in dict(HOW_TOLD):
        raise ProcedureError("Say how the receiving authority was told.")
    address = _text(forwarding_address, "the forwarding address")
    return _located(case, Outcome.LOCATED_OUTSIDE_AREA, today,
                    {"receiving_authority": authority, "told_on": told.isoformat(), "told_how": told_how,
                     "forwarding_address": address},
                    f"located outside the area; {authority} told on {told:%-d %B %Y} ({dict(HOW_TOLD)[told_how]})",
                    forwarding_address=address)


def left_england(case: Case, where: str, on: date | None, today: date) -> Change:
    gone = _not_after_today(on, "the child left", today)
    return _located(case, Outcome.LEFT_ENGLAND, today, {"where": where.strip()[:200], "on": gone.isoformat()},
                    f"left England on {gone:%-d %B %Y}")


def _review_date(review_on: date | None, today: date) -> date:
    review = review_on or default_review_date(today)
    if review <= today:
        raise ProcedureError("The review date must be after today.")
    if review > today + LONGEST_REVIEW:
        raise ProcedureError("Review a child not located within a year.")
    return review


def not_located(case: Case, recorded_on: date | None, review_on: date | None, checks: str, today: date) -> Change:
    """Not found after the checks: recorded on the Lost Pupils Database, and reviewed on `review_on`."""
    recorded = _not_after_today(recorded_on, "the child was recorded on the Lost Pupils Database", today)
    review = _review_date(review_on, today)
    return take_step(case, Step.RECORD_NOT_LOCATED, today, "not_located",
                     {"lpd_recorded_on": recorded.isoformat(), "review_on": review.isoformat(),
                      "checks": _text(checks, "the checks made", 2000)},
                     f"Not located: on the Lost Pupils Database since {recorded:%-d %B %Y}; review on "
                     f"{review:%A %-d %B %Y}", milestones={Deadline.LPD_REVIEW: review}, outcome=Outcome.NOT_LOCATED)


def review_not_located(case: Case, checks: str, review_on: date | None, today: date) -> Change:
    """Reviewed and still not found: the next review date."""
    review = _review_date(review_on, today)
    return take_step(case, Step.REVIEW_NOT_LOCATED, today, "not_located_reviewed",
                     {"checks": _text(checks, "the checks made", 2000), "review_on": review.isoformat()},
                     f"Reviewed, still not located; next review on {review:%A %-d %B %Y}",
                     milestones={Deadline.LPD_REVIEW: review})


def weeks_missing(case: Case, today: date) -> int:
    """Whole weeks since the first day of absence."""
    return max(0, (today - case.first_day_absent).days // 7)
