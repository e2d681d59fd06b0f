"""After removal from roll the authority keeps the child: each outcome the tracking officer records (cme/tracking.py)."""

from __future__ import annotations

from datetime import date

import pytest

from cme.case import Case, Pupil
from cme.deadlines import Deadline
from cme.lifecycle import ON_REGISTER, Outcome, ProcedureError, State, Step, next_state
from cme.milestones import Milestone
from cme.register import link_to_school
from cme.tracking import (
    elective_home_education,
    left_england,
    located_outside_area,
    not_located,
    on_roll_at_school,
    other_provision,
    review_not_located,
    weeks_missing,
)
from tests.unit.builders import CALENDAR

TODAY = date(2026, 12, 14)


def removed(**fields) -> Case:
    values = dict(reference="CME-2026-0101", school_id=1, state=State.OUT_OF_PROVISION,
                  pupil=Pupil("Pretend", "Pupil"), first_day_absent=date(2026, 10, 5), run_start=date(2026, 10, 5),
                  outcome=Outcome.REMOVED_FROM_ROLL, off_roll_date=date(2026, 11, 30))
    return Case(**(values | fields))


def test_removed_children_stay_on_the_register_closed_for_the_school():
    assert next_state(State.REMOVAL_AGREED, Step.CONFIRM_REMOVED) is State.OUT_OF_PROVISION
    case = removed()
    assert not case.is_open and case.state in ON_REGISTER and case.overdue(None, TODAY) == []


def test_on_roll_at_a_school_closes_the_register_entry_with_the_school_and_start():
    change = on_roll_at_school(removed(), "Pretend Academy (fictional)", date(2026, 12, 7), TODAY)
    assert change.case.state is State.CLOSED and change.case.outcome is Outcome.ON_ROLL_ELSEWHERE
    assert change.case.new_school == "Pretend Academy (fictional)"
    assert change.event == "tracking_outcome"
    assert change.data == {"outcome": "on_roll_elsewhere", "new_school": "Pretend Academy (fictional)",
                           "start_date": "2026-12-07"}
    assert change.summary == "Closed by the local authority: on roll at Pretend Academy (fictional) from 7 December 2026"


@pytest.mark.parametrize("step, outcome", [
    (lambda c: elective_home_education(c, date(2026, 12, 1), "", TODAY), Outcome.ELECTIVE_HOME_EDUCATION),
    (lambda c: other_provision(c, "Pretend tuition centre", date(2026, 12, 1), TODAY), Outcome.OTHER_PROVISION),
    (lambda c: left_england(c, "Wales", date(2026, 12, 1), TODAY), Outcome.LEFT_ENGLAND),
    (lambda c: located_outside_area(c, "Elsewhere Council (fictional)", date(2026, 12, 2), "secure_email",
                                    "1 Pretend Road", TODAY), Outcome.LOCATED_OUTSIDE_AREA),
])
def test_each_located_outcome_closes_the_entry(step, outcome):
    change = step(removed())
    assert change.case.state is State.CLOSED and change.case.outcome is outcome


def test_outside_the_area_records_whom_when_and_how_they_were_told():
    change = located_outside_area(removed(), "Elsewhere Council (fictional)", date(2026, 12, 2), "phone",
                                  "1 Pretend Road", TODAY)
    assert change.data["receiving_authority"] == "Elsewhere Council (fictional)"
    assert change.data["told_on"] == "2026-12-02" and change.data["told_how"] == "phone"
    assert change.case.forwarding_address == "1 Pretend Road"
    with pytest.raises(ProcedureError, match="how the receiving authority was told"):
        located_outside_area(removed(), "Elsewhere", date(2026, 12, 2), "pigeon", "1 Pretend Road", TODAY)


def test_not_located_stays_on_the_register_with_a_review_date_twelve_weeks_on_by_default():
    change = not_located(removed(), date(2026, 12, 10), None, "Checked with the GP and housing", TODAY)
    assert change.case.state is State.NOT_LOCATED and change.case.state in ON_REGISTER
    assert change.case.outcome is Outcome.NOT_LOCATED
    assert change.milestones == {Deadline.LPD_REVIEW: date(2027, 3, 8)}
    again = review_not_located(change.case, "Checked again", date(2027, 4, 1), date(2027, 3, 8))
    assert again.case.state is State.NOT_LOCATED and again.milestones == {Deadline.LPD_REVIEW: date(2027, 4, 1)}
    found = on_roll_at_school(again.case, "Pretend Academy (fictional)", date(2027, 3, 20), date(2027, 3, 22))
    assert found.case.state is State.CLOSED and found.done == {Deadline.LPD_REVIEW: date(2027, 3, 22)}


@pytest.mark.parametrize("call, words", [
    (lambda: on_roll_at_school(removed(), "", TODAY, TODAY), "the school's name"),
    (lambda: on_roll_at_school(removed(), "X", date(2026, 12, 15), TODAY), "cannot be after today"),
    (lambda: not_located(removed(), TODAY, TODAY, "checks", TODAY), "must be after today"),
    (lambda: not_located(removed(), TODAY, date(2028, 1, 1), "checks", TODAY), "within a year"),
    (lambda: not_located(removed(), TODAY, None, " ", TODAY), "the checks made"),
    (lambda: review_not_located(removed(), "checks", None, TODAY), "cannot record a review"),
])
def test_refusals_say_what_is_missing(call, words):
    with pytest.raises(ProcedureError, match=words):
        call()


def test_the_school_cannot_work_a_case_out_of_provision_and_the_officer_cannot_record_twice():
    with pytest.raises(ProcedureError, match="closed for the school"):
        next_state(State.OUT_OF_PROVISION, Step.LOG_ENQUIRY)
    closed = on_roll_at_school(removed(), "X", TODAY, TODAY).case
    with pytest.raises(ProcedureError, match="This case is closed"):
        left_england(closed, "", TODAY, TODAY)


def test_weeks_missing_counts_whole_weeks_from_day_1():
    assert weeks_missing(removed(), TODAY) == 10


def test_a_case_with_no_school_is_linked_to_one_with_its_clock_from_the_first_day_there():
    referral = removed(school_id=None, state=State.CME_REFERRAL, outcome=None, off_roll_date=None,
                       first_day_absent=date(2026, 11, 16), run_start=date(2026, 11, 16))
    change = link_to_school(referral, 7, "Pretend Primary (fictional)", CALENDAR, date(2026, 11, 9), date(2026, 11, 16))
    assert change.case.school_id == 7 and change.case.run_start == change.case.first_day_absent == date(2026, 11, 9)
    assert change.case.state is State.CME_REFERRAL and change.event == "linked_to_school"
    assert change.milestones[Milestone.DAY_5] == date(2026, 11, 13)
    with pytest.raises(ProcedureError, match="has a school already"):
        link_to_school(change.case, 7, "X", CALENDAR, date(2026, 11, 9), date(2026, 11, 16))
    with pytest.raises(ProcedureError, match="not after today"):
        link_to_school(referral, 7, "X", CALENDAR, date(2026, 11, 17), date(2026, 11, 16))
