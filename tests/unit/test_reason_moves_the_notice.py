"""Changing the reason to or from one that says the pupil has left adds or removes the 1 to 10 day notice to the
tracking officer (policy 8.4.1), counted from the last day attended as at the report, with the history saying so."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from cards.history import describe
from cme.at_risk_change import change_at_risk
from cme.deadlines import Deadline, deadlines
from tests.unit.builders import CALENDAR, DAY_1, DAY_5, a_case

LAST_ATTENDED = date(2026, 10, 23)  # a Friday; half term follows, so the 10th school day after is 13 November
NOTICE_BY = date(2026, 11, 13)


def test_a_reason_saying_the_pupil_has_left_adds_the_notice_as_the_report_would_have():
    case = a_case(reason="unknown", last_day_attended=LAST_ATTENDED)
    change = change_at_risk(case, [], "moved_no_school", CALENDAR, DAY_5)
    reported_so = deadlines(a_case(reason="moved_no_school", last_day_attended=LAST_ATTENDED), CALENDAR, DAY_1)
    assert change.moved == {Deadline.OFFICER_TOLD: NOTICE_BY} == reported_so
    assert change.milestones is None, "Day 5, Day 20 and the Day 1 risk deadline stay as stored"
    assert change.data["notice"] == {"before": None, "after": "2026-11-13"}
    assert "The CME Pupil Tracking Officer is to be told by Friday 13 November 2026 (policy 8.4.1)" in change.summary
    assert "told by Friday 13 November 2026" in describe(change.event, change.data), "the history shows it"


def test_the_notice_counts_from_the_last_day_attended_not_the_day_of_the_change():
    late = date(2026, 11, 20)
    change = change_at_risk(a_case(reason="hard_to_place", last_day_attended=LAST_ATTENDED), [],
                            "withdrawn_no_alternative", CALENDAR, late)
    assert change.moved == {Deadline.OFFICER_TOLD: NOTICE_BY}, "overdue already: the date does not move on"


def test_a_reason_no_longer_saying_so_removes_the_notice():
    case = a_case(reason="withdrawn_no_alternative", last_day_attended=LAST_ATTENDED)
    change = change_at_risk(case, [], "unknown", CALENDAR, DAY_5)
    assert change.moved == {Deadline.OFFICER_TOLD: None}
    assert change.data["notice"] == {"before": "2026-11-13", "after": None}
    assert "No notice to the CME Pupil Tracking Officer is due now" in change.summary


@pytest.mark.parametrize("before, after, groups", [
    ("moved_no_school", "withdrawn_no_alternative", []),  # left either way: the same notice
    ("unknown", "hard_to_place", []),  # left neither way
    ("moved_no_school", "moved_no_school", ["runaways"]),  # only the groups
])
def test_other_changes_leave_the_milestones_alone(before, after, groups):
    change = change_at_risk(a_case(reason=before, last_day_attended=LAST_ATTENDED), groups, after, CALENDAR, DAY_5)
    assert change.moved is None and "notice" not in change.data
    assert "Tracking Officer" not in change.summary


def test_a_child_with_no_school_has_no_notice_to_give():
    change = change_at_risk(a_case(school_id=None, reason="unknown"), [], "moved_no_school", CALENDAR, DAY_5)
    assert change.moved is None


def test_a_notice_past_the_known_term_dates_is_said_not_known_yet():
    short = replace(CALENDAR, covers=(date(2026, 9, 1), date(2026, 11, 10)))
    change = change_at_risk(a_case(reason="unknown", last_day_attended=LAST_ATTENDED), [], "moved_no_school",
                            short, DAY_5)
    assert change.moved == {Deadline.OFFICER_TOLD: date(2026, 11, 11)}, "stored the day after the dates, as at report"
    assert change.data["notice"] == {"before": None, "after": None}
    assert "to be told by a date not known yet" in change.summary
