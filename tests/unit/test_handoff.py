"""Handing a child over to the authority where they live now (policy 8.4.2, cme/handoff.py): pending until the
receiving authority accepts, or until the notification to one not on this deployment is recorded as sent."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from cme.case import Carer, Case, Pupil
from cme.deadlines import Deadline
from cme.handoff import (
    accept,
    hand_off,
    notification_sent,
    notification_text,
    register_mark,
    reminder_due,
    reminder_from,
)
from cme.lifecycle import Outcome, ProcedureError, State
from tests.unit.builders import CALENDAR

TODAY = date(2026, 12, 14)  # a Monday
BOROUGH, NORTH = 1, 2


def out_of_provision(**fields) -> Case:
    values = dict(reference="CME-2026-0101", school_id=1, state=State.OUT_OF_PROVISION, authority_id=BOROUGH,
                  pupil=Pupil("Pretend", "Pupil", date(2015, 3, 2), address="1 Nowhere Lane", postcode="ZZ9 9ZZ",
                              carers=(Carer("Parent Pretend", "07700 900123", "mother"),)),
                  first_day_absent=date(2026, 10, 5), run_start=date(2026, 10, 5),
                  outcome=Outcome.REMOVED_FROM_ROLL, off_roll_date=date(2026, 11, 30), reason="moved_no_school",
                  risk_groups=("young_carer",))
    return Case(**(values | fields))


def handed(to_id: int | None = NORTH, to_name: str = "Northfield Council (fictional)") -> Case:
    return hand_off(out_of_provision(), to_id, to_name, "Example Borough Council", "2 Elsewhere Road", TODAY).case


def test_a_hand_off_to_an_authority_on_the_deployment_is_pending_and_keeps_the_child_on_the_register():
    change = hand_off(out_of_provision(), NORTH, " Northfield Council (fictional) ", "Example Borough Council",
                      "2 Elsewhere Road", TODAY)
    case = change.case
    assert case.state is State.OUT_OF_PROVISION and case.authority_id == BOROUGH and case.outcome is not None
    assert case.handoff.to_authority_id == NORTH and case.handoff.to_name == "Northfield Council (fictional)"
    assert case.handoff.since == TODAY and case.forwarding_address == "2 Elsewhere Road"
    assert change.event == "handoff_sent" and change.data["on_deployment"] is True
    assert register_mark(case.handoff) == ("handed to Northfield Council (fictional), awaiting acceptance since "
                                           "14 December 2026")


def test_a_hand_off_needs_an_authority_other_than_ones_own_and_a_forwarding_address():
    with pytest.raises(ProcedureError, match="your own authority"):
        hand_off(out_of_provision(), BOROUGH, "Example Borough Council", "Example Borough Council", "x", TODAY)
    with pytest.raises(ProcedureError, match="receiving local authority"):
        hand_off(out_of_provision(), None, "  ", "Example Borough Council", "x", TODAY)
    with pytest.raises(ProcedureError, match="forwarding address"):
        hand_off(out_of_provision(), NORTH, "Northfield", "Example Borough Council", " ", TODAY)
    with pytest.raises(ProcedureError, match="already"):
        hand_off(handed(), NORTH, "Northfield", "Example Borough Council", "x", TODAY)
    with pytest.raises(ProcedureError, match="closed"):
        hand_off(out_of_provision(state=State.CLOSED), NORTH, "Northfield", "Example Borough Council", "x", TODAY)


def test_only_the_receiving_authority_accepts_and_the_case_becomes_its_own():
    with pytest.raises(ProcedureError, match="Only a tracking officer of Northfield"):
        accept(handed(), [BOROUGH], TODAY)
    change = accept(handed(), [NORTH], date(2026, 12, 15))
    assert change.case.authority_id == NORTH and change.case.handoff is None
    assert change.case.state is State.OUT_OF_PROVISION and change.event == "handoff_accepted"
    assert change.data["from_authority_id"] == BOROUGH and change.data["to_authority_id"] == NORTH
    assert "accepted on 15 December 2026" in change.summary
    with pytest.raises(ProcedureError, match="not waiting"):
        accept(change.case, [NORTH], TODAY)


def test_a_child_not_located_handed_over_is_located_after_all():
    case = replace(handed(), state=State.NOT_LOCATED)
    change = accept(case, [NORTH], TODAY)
    assert change.case.state is State.OUT_OF_PROVISION and change.done == {Deadline.LPD_REVIEW: TODAY}


def test_another_authority_is_told_by_secure_email_and_the_case_closes_once_recorded_as_sent():
    case = handed(None, "Faraway Council (fictional)")
    assert not case.handoff.on_deployment
    assert register_mark(case.handoff) == "handed to Faraway Council (fictional): notification not yet sent"
    with pytest.raises(ProcedureError, match="not waiting"):
        accept(case, [NORTH], TODAY)
    with pytest.raises(ProcedureError, match="after today"):
        notification_sent(case, date(2026, 12, 15), TODAY)
    with pytest.raises(ProcedureError, match="before the hand-off"):
        notification_sent(case, date(2026, 12, 11), TODAY)
    change = notification_sent(case, TODAY, TODAY)
    assert change.case.state is State.CLOSED and change.case.outcome is Outcome.LOCATED_OUTSIDE_AREA
    assert change.case.handoff is None and change.data["told_how"] == "secure_email"
    assert change.data["receiving_authority"] == "Faraway Council (fictional)" and change.data["notification_sent"]
    with pytest.raises(ProcedureError, match="no notification"):
        notification_sent(handed(), TODAY, TODAY)


def test_the_notification_says_what_the_receiving_authority_needs():
    case = handed(None, "Faraway Council (fictional)")
    words = notification_text(case, school_name="Oakwood Primary School (fictional)", officer_name="Tara Tracker",
                              officer_authority="Example Borough Council", reasons="Moved away, no new school known",
                              at_risk="Young carer", today=TODAY)
    for needed in ("Faraway Council (fictional)", "Pretend Pupil", "2 March 2015", "1 Nowhere Lane, ZZ9 9ZZ",
                   "2 Elsewhere Road", "Oakwood Primary School (fictional)", "5 October 2026", "30 November 2026",
                   "Moved away", "Young carer", "CME-2026-0101", "Tara Tracker", "Example Borough Council",
                   "policy 8.4.2", "Parent Pretend"):
        assert needed in words, needed


def test_the_reminder_comes_on_the_fifth_school_day_after_and_every_school_day_after_that():
    since = date(2026, 12, 7)  # a Monday
    assert reminder_from(since, CALENDAR) == date(2026, 12, 14)
    assert not reminder_due(since, CALENDAR, date(2026, 12, 11))
    assert reminder_due(since, CALENDAR, date(2026, 12, 14)) and reminder_due(since, CALENDAR, date(2026, 12, 15))
    assert not reminder_due(since, CALENDAR, date(2026, 12, 19))  # a Saturday
