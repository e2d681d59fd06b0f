"""The steps of working a case: what each changes, the history entry it makes, and what it refuses."""

from __future__ import annotations

from datetime import date

import pytest

from cme.calendar import CalendarError
from cme.casework import (
    complete_checklist,
    complete_cme_referral,
    contact_ews,
    log_enquiry,
    new_case,
    record_break,
    record_outcome,
    record_triage,
    review_day_20,
)
from cme.deadlines import Deadline
from cme.lifecycle import Outcome, ProcedureError, State
from cme.milestones import Break, BreakKind, Milestone
from cme.report import Report
from tests.unit.builders import (
    AT_RISK,
    CALENDAR,
    DAY_1,
    DAY_5,
    DAY_20,
    DAY_21,
    EVERY_CHECKLIST_ITEM,
    PUPIL,
    a_case,
    worked_to_day_20,
)

WEDNESDAY = date(2026, 11, 4)
THURSDAY = date(2026, 11, 5)


def test_a_new_case_starts_reported_with_day_5_and_day_20_due():
    report = Report(pupil=PUPIL, school_id=7, first_day_absent=DAY_1, last_day_attended=date(2026, 10, 23),
                    known_so_far="Family may have moved", reason="moved_no_school", risk_groups=("runaways",),
                    risk=AT_RISK)
    case, due = new_case(report, CALENDAR, DAY_1)
    assert case.state is State.REPORTED and case.school_id == 7
    assert case.run_start == case.first_day_absent == DAY_1
    assert case.pupil.full_name == "Testy McTestface"
    assert case.triage_outstanding
    assert due == {Milestone.DAY_5: DAY_5, Milestone.DAY_20: DAY_20, Deadline.RISK_NOTIFIED: DAY_1,
                   Deadline.OFFICER_TOLD: date(2026, 11, 13)}


# log_enquiry

def test_the_first_enquiry_moves_the_case_to_enquiries_and_ticks_its_kind():
    change = log_enquiry(a_case(), "home_visit", "  Nobody home  ", "  Neighbour says they left  ", WEDNESDAY)
    assert change.case.state is State.ENQUIRIES
    assert change.case.enquiry_kinds == {"home_visit"}
    assert change.event == "enquiry_logged"
    assert change.data == {"kind": "home_visit", "outcome": "Nobody home", "note": "Neighbour says they left"}
    assert change.summary == "Home visit logged"
    assert change.milestones is None and change.done is None


def test_more_enquiries_add_their_kinds_and_keep_the_state():
    first = log_enquiry(a_case(), "phone_call", "No answer", "", DAY_1).case
    second = log_enquiry(first, "social_media", "Nothing since October", "", WEDNESDAY).case
    assert second.state is State.ENQUIRIES
    assert second.enquiry_kinds == {"phone_call", "social_media"}


def test_an_enquiry_outcome_is_cut_to_a_thousand_characters():
    change = log_enquiry(a_case(), "other", "x" * 5000, "y" * 5000, WEDNESDAY)
    assert len(change.data["outcome"]) == 1000 and len(change.data["note"]) == 2000


@pytest.mark.parametrize("kind, outcome, message", [
    ("carrier_pigeon", "Sent", "Choose what kind of enquiry it was."),
    ("", "Sent", "Choose what kind of enquiry it was."),
    ("phone_call", "   ", "Say what the enquiry found, even if it was nothing."),
])
def test_an_enquiry_without_a_kind_or_a_finding_is_refused(kind, outcome, message):
    with pytest.raises(ProcedureError) as refused:
        log_enquiry(a_case(), kind, outcome, "", WEDNESDAY)
    assert str(refused.value) == message


def test_no_enquiry_on_a_closed_case():
    closed = a_case(state=State.CLOSED, outcome=Outcome.RETURNED)
    with pytest.raises(ProcedureError, match="This case is closed, so you cannot log an enquiry."):
        log_enquiry(closed, "phone_call", "Answered", "", WEDNESDAY)


# record_break

def test_a_break_restarts_the_count_from_the_next_school_day_and_moves_the_milestones():
    change = record_break(a_case(), BreakKind.ATTENDED, WEDNESDAY, CALENDAR, THURSDAY)
    case = change.case
    assert case.run_start == THURSDAY and case.first_day_absent == DAY_1
    assert case.breaks == (Break(WEDNESDAY, BreakKind.ATTENDED),)
    assert case.state is State.REPORTED
    assert change.event == "break_recorded"
    assert change.data == {"on": "2026-11-04", "kind": "attended", "count_restarts_on": "2026-11-05", "run": 2,
                           "previous_run_began": "2026-11-02", "set_aside": []}
    assert change.summary == ("Break recorded (attended on 4 November): the count restarts on Thursday 5 November. "
                              "Run 2 of the absence began then, with its own Day 5 and Day 20")
    assert change.milestones == {Milestone.DAY_5: date(2026, 11, 11), Milestone.DAY_20: date(2026, 12, 2)}
    assert case.day_number(CALENDAR, THURSDAY) == 1


def test_an_authorised_absence_on_a_friday_restarts_the_count_on_monday():
    change = record_break(a_case(), BreakKind.AUTHORISED, DAY_5, CALENDAR, DAY_5)
    assert change.case.run_start == date(2026, 11, 9)
    assert "(absence authorised on 6 November): the count restarts on Monday 9 November" in change.summary


def test_the_latest_break_decides_where_the_count_starts():
    case = record_break(a_case(), BreakKind.ATTENDED, date(2026, 11, 10), CALENDAR, date(2026, 11, 12)).case
    case = record_break(case, BreakKind.AUTHORISED, WEDNESDAY, CALENDAR, date(2026, 11, 12)).case
    assert [b.on for b in case.breaks] == [WEDNESDAY, date(2026, 11, 10)]
    assert case.run_start == date(2026, 11, 11)


def test_the_same_break_twice_is_refused():
    case = record_break(a_case(), BreakKind.ATTENDED, WEDNESDAY, CALENDAR, THURSDAY).case
    with pytest.raises(ProcedureError, match="A break on 4 November 2026 is recorded already."):
        record_break(case, BreakKind.AUTHORISED, WEDNESDAY, CALENDAR, THURSDAY)


@pytest.mark.parametrize("on, today, message", [
    (date(2026, 11, 7), date(2026, 11, 9), r"Saturday 7 November 2026 was not a school day \(a weekend\)"),
    (THURSDAY, WEDNESDAY, "A break cannot be recorded for a date in the future."),
    (date(2026, 10, 23), WEDNESDAY,
     r"The break \(23 October 2026\) is before the first day of absence \(2 November 2026\)."),
    (date(2026, 12, 22), date(2027, 1, 6), r"was not a school day \(Christmas holiday\)"),
])
def test_a_break_must_be_a_past_school_day_of_this_absence(on, today, message):
    with pytest.raises(CalendarError, match=message):
        record_break(a_case(), BreakKind.ATTENDED, on, CALENDAR, today)


# record_triage

def test_the_day_1_notification_is_recorded_with_who_and_when():
    case = a_case(risk=AT_RISK)
    change = record_triage(case, ["social_care", "police"], " 2 November 10:40 ", " Ref 123 ", DAY_1)
    assert change.case.triage_recorded_on == DAY_1 and not change.case.triage_outstanding
    assert change.event == "risk_notified"
    assert change.data == {"notified": ["social_care", "police"], "when": "2 November 10:40", "details": "Ref 123"}
    assert change.summary == "Notified: Children's social care, Police"


@pytest.mark.parametrize("risk, notified, when, message", [
    (None, ["police"], "10:40", "This case has no Day 1 risk to notify."),
    (AT_RISK, [], "10:40", "Tick who was notified: children's social care, the police or the social worker."),
    (AT_RISK, ["police", "the_neighbours"], "10:40", "Tick who was notified"),
    (AT_RISK, ["social_worker"], "  ", "Say when they were notified."),
])
def test_a_notification_needs_a_risk_who_and_when(risk, notified, when, message):
    case = a_case(risk=risk) if risk else a_case()
    with pytest.raises(ProcedureError, match=message):
        record_triage(case, notified, when, "", DAY_1)


# contact_ews

def test_contacting_ews_refers_the_case_to_ews():
    case = log_enquiry(a_case(), "phone_call", "No answer", "", DAY_1).case
    change = contact_ews(case, "  Duty officer, joint visit agreed  ", DAY_5)
    assert change.case.state is State.REFERRED_TO_EWS
    assert change.case.ews_contacted_on == DAY_5
    assert change.event == "ews_contacted"
    assert change.data == {"note": "Duty officer, joint visit agreed"}
    assert change.summary == "Education Welfare Service contacted"
    assert change.done is None  # Day 5 also asks for the checklist


def test_contacting_ews_twice_is_refused_with_the_first_date():
    case = contact_ews(a_case(), "", DAY_5).case
    with pytest.raises(ProcedureError, match="recorded as contacted on 2026-11-06"):
        contact_ews(case, "", DAY_21)


def test_no_ews_contact_while_removal_is_requested():
    with pytest.raises(ProcedureError, match="cannot record that the Education Welfare Service was contacted while "
                                             "the case is at 'Removal from roll requested'"):
        contact_ews(a_case(state=State.REMOVAL_REQUESTED), "", DAY_21)


# complete_checklist

def test_an_incomplete_checklist_is_refused_naming_every_item_still_to_confirm():
    confirmed = EVERY_CHECKLIST_ITEM - {"home_visit", "pupil_database"}
    with pytest.raises(ProcedureError) as refused:
        complete_checklist(a_case(), confirmed, DAY_5)
    assert str(refused.value) == (
        "The missing pupil checklist is not complete. Still to confirm: Home visit; "
        "The local authority's pupil database checked for a new school.")


def test_the_checklist_records_ews_contacted_too_and_completes_day_5():
    change = complete_checklist(a_case(), EVERY_CHECKLIST_ITEM, DAY_5)
    assert change.case.checklist_completed_on == DAY_5
    assert change.case.ews_contacted_on == DAY_5
    assert change.event == "checklist_completed"
    assert sorted(change.data["confirmed"]) == sorted(EVERY_CHECKLIST_ITEM)
    assert change.summary == "Missing pupil checklist completed"
    assert change.done == {Milestone.DAY_5: DAY_5}


def test_the_checklist_keeps_an_earlier_ews_contact_date():
    case = contact_ews(a_case(), "", THURSDAY).case
    change = complete_checklist(case, EVERY_CHECKLIST_ITEM, DAY_5)
    assert change.case.ews_contacted_on == THURSDAY
    assert change.done == {Milestone.DAY_5: DAY_5}


# review_day_20

def test_the_day_20_review_before_day_20_is_refused_with_the_day_reached():
    with pytest.raises(ProcedureError) as refused:
        review_day_20(a_case(), "", CALENDAR, date(2026, 11, 26))
    assert str(refused.value) == ("The Day 20 review is due on Friday 27 November 2026; the pupil is at Day 19 of "
                                  "continuous absence.")


def test_the_day_20_review_is_counted_from_the_last_break():
    case = record_break(a_case(), BreakKind.ATTENDED, WEDNESDAY, CALENDAR, THURSDAY).case
    with pytest.raises(ProcedureError, match="due on Wednesday 2 December 2026; the pupil is at Day 17"):
        review_day_20(case, "", CALENDAR, DAY_20)


def test_the_day_20_review_on_day_20():
    change = review_day_20(a_case(), "  Still untraced  ", CALENDAR, DAY_20)
    assert change.case.day20_review_on == DAY_20
    assert change.case.state is State.REPORTED
    assert change.event == "day20_reviewed"
    assert change.data == {"note": "Still untraced"}
    assert change.summary == "Day 20 review with EWS recorded"
    assert change.done is None  # Day 20 also asks for the CME referral


# complete_cme_referral

def test_the_cme_referral_goes_to_the_tracking_officer_and_with_the_review_completes_day_20():
    case = review_day_20(a_case(), "", CALENDAR, DAY_20).case
    change = complete_cme_referral(case, " With the checklist ", DAY_21)
    assert change.case.state is State.CME_REFERRAL
    assert change.case.cme_referral_on == DAY_21
    assert change.event == "cme_referral_completed"
    assert change.data == {"note": "With the checklist"}
    assert change.summary == "CME referral completed and sent to the tracking officer"
    assert change.done == {Milestone.DAY_20: DAY_21}


def test_the_cme_referral_twice_is_refused():
    case = complete_cme_referral(a_case(), "", DAY_20).case
    with pytest.raises(ProcedureError, match="The CME referral was completed on 2026-11-27."):
        complete_cme_referral(case, "", DAY_21)


# record_outcome

def test_returned_to_school_closes_the_case():
    change = record_outcome(a_case(), Outcome.RETURNED, WEDNESDAY)
    assert change.case.state is State.CLOSED and not change.case.is_open
    assert change.case.outcome is Outcome.RETURNED
    assert change.event == "outcome_recorded"
    assert change.data == {"outcome": "returned_to_school"}
    assert change.summary == "Closed: Returned to school"
    assert change.case.overdue(CALENDAR, DAY_21) == []


def test_removal_from_roll_is_not_an_outcome_the_school_records():
    with pytest.raises(ProcedureError, match="agreed with the tracking officer: request it from the case card"):
        record_outcome(worked_to_day_20(), Outcome.REMOVED_FROM_ROLL, DAY_21)


def test_on_roll_elsewhere_needs_the_new_school_and_start_date():
    with pytest.raises(ProcedureError, match="Give the new school's name and the date the pupil started there."):
        record_outcome(a_case(), Outcome.ON_ROLL_ELSEWHERE, WEDNESDAY, new_school="Pretend High (fictional)")
    with pytest.raises(ProcedureError, match="Give the new school's name"):
        record_outcome(a_case(), Outcome.ON_ROLL_ELSEWHERE, WEDNESDAY, new_school="  ", start_date=DAY_1)
    change = record_outcome(a_case(), Outcome.ON_ROLL_ELSEWHERE, WEDNESDAY,
                            new_school=" Pretend High (fictional) ", start_date=DAY_1)
    assert change.case.state is State.CLOSED and change.case.new_school == "Pretend High (fictional)"
    assert change.data == {"outcome": "on_roll_elsewhere", "new_school": "Pretend High (fictional)",
                           "start_date": "2026-11-02"}
    assert change.summary == "Closed: On roll at another school"


def test_found_outside_the_area_by_the_school_is_referred_to_the_tracking_officer_not_closed():
    change = record_outcome(a_case(), Outcome.LOCATED_OUTSIDE_AREA, WEDNESDAY,
                            forwarding_address=" 9 Faraway Road, Otherborough ")
    assert change.case.is_open and change.case.state is State.CME_REFERRAL
    assert change.case.outcome is None
    assert change.case.forwarding_address == "9 Faraway Road, Otherborough"
    assert change.case.cme_referral_on == WEDNESDAY
    assert change.event == "located_outside_area"
    assert change.data == {"outcome": "located_outside_area", "forwarding_address": "9 Faraway Road, Otherborough"}
    assert "referred to the tracking officer with the forwarding address" in change.summary


def test_found_outside_the_area_closes_when_the_tracking_officer_records_it():
    referred = record_outcome(a_case(), Outcome.LOCATED_OUTSIDE_AREA, WEDNESDAY,
                              forwarding_address="9 Faraway Road, Otherborough").case
    change = record_outcome(referred, Outcome.LOCATED_OUTSIDE_AREA, DAY_5, by_tracking_officer=True)
    assert change.case.state is State.CLOSED and change.case.outcome is Outcome.LOCATED_OUTSIDE_AREA
    assert change.case.forwarding_address == "9 Faraway Road, Otherborough"
    assert change.event == "outcome_recorded"
    assert change.summary == "Closed: Located outside the area"


def test_found_outside_the_area_needs_a_forwarding_address():
    with pytest.raises(ProcedureError, match="Give the forwarding address"):
        record_outcome(a_case(), Outcome.LOCATED_OUTSIDE_AREA, WEDNESDAY, forwarding_address="  ")


def test_no_outcome_on_a_closed_case():
    closed = record_outcome(a_case(), Outcome.LOCATED_IN_AREA, WEDNESDAY).case
    with pytest.raises(ProcedureError, match="This case is closed, so you cannot record an outcome."):
        record_outcome(closed, Outcome.RETURNED, THURSDAY)
