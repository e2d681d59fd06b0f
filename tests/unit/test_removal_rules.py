"""Removal from roll: its preconditions, each in words, and the request, the decisions and the off-roll date."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from cme.casework import log_enquiry, record_break, record_outcome
from cme.lifecycle import Outcome, ProcedureError, State
from cme.milestones import BreakKind, Milestone
from cme.removal import (
    agree_removal,
    ask_more_enquiries,
    confirm_removed,
    decline_removal,
    earliest_off_roll_date,
    preconditions,
    request_removal,
    unmet,
)
from tests.unit.builders import (
    CALENDAR,
    DAY_1,
    DAY_20,
    DAY_21,
    EVERY_LEGAL_TEST,
    SCHOOL_STAFF,
    a_case,
    worked_to_day_20,
)

REQUEST = "request-1"
SATURDAY = date(2026, 12, 5)
# The same school with term dates that end on Day 20 (Friday 27 November 2026) or the day before.
ENDING_ON_DAY_20 = replace(CALENDAR, covers=(date(2026, 9, 1), DAY_20))
ENDING_BEFORE_DAY_20 = replace(CALENDAR, covers=(date(2026, 9, 1), date(2026, 11, 26)))
LATER = date(2026, 12, 7)


def requested(case=None, on=DAY_21):
    return request_removal(case or worked_to_day_20(), CALENDAR, on, REQUEST, EVERY_LEGAL_TEST, SCHOOL_STAFF).case


def agreed(on=DAY_21):
    return agree_removal(requested(), CALENDAR, on, REQUEST, REQUEST).case


# preconditions

def test_a_new_case_meets_no_precondition_and_each_says_why():
    said = [(p.label, p.met, p.detail) for p in preconditions(a_case(), CALENDAR, date(2026, 11, 13))]
    assert said == [
        ("20 continuous school days completed", False,
         "Day 10 since 2 November 2026; agreement from Day 21, Monday 30 November 2026"),
        ("Day 1-5 enquiries logged", False, "none logged (still needed: Phone call, Home visit)"),
        ("Education Welfare Service contacted", False, "not yet"),
        ("Day 20 review with EWS", False, "not yet"),
        ("CME referral completed", False, "not yet"),
        ("Missing pupil checklist complete", False, "not yet"),
        ("Every session unauthorised (G, N or O)", False, "not confirmed by the school"),
        ("No grounds to believe sickness or an unavoidable cause", False, "not confirmed by the school"),
        ("Joint reasonable enquiries by the school and the local authority", False, "not confirmed by the school"),
    ]


def test_a_case_worked_to_day_20_meets_every_precondition_with_its_date_on_day_21():
    case = worked_to_day_20()
    said = [(p.label, p.met, p.detail) for p in preconditions(case, CALENDAR, DAY_21)]
    assert said == [
        ("20 continuous school days completed", True, "Day 21 since 2 November 2026"),
        ("Day 1-5 enquiries logged", True, "Home visit; Phone call"),
        ("Education Welfare Service contacted", True, "6 November 2026"),
        ("Day 20 review with EWS", True, "27 November 2026"),
        ("CME referral completed", True, "27 November 2026"),
        ("Missing pupil checklist complete", True, "6 November 2026"),
        ("Every session unauthorised (G, N or O)", True, "confirmed by Sam School on 27 November 2026"),
        ("No grounds to believe sickness or an unavoidable cause", True, "confirmed by Sam School on 27 November 2026"),
        ("Joint reasonable enquiries by the school and the local authority", True,
         "confirmed by Sam School on 27 November 2026"),
    ]
    assert unmet(case, CALENDAR, DAY_21) == []


def test_the_core_enquiries_are_a_phone_call_and_a_home_visit():
    case = log_enquiry(a_case(), "phone_call", "No answer", "", DAY_1).case
    case = log_enquiry(case, "social_media", "Nothing", "", DAY_1).case
    enquiries = preconditions(case, CALENDAR, DAY_20)[1]
    assert not enquiries.met
    assert enquiries.detail == "Phone call; Social media (still needed: Home visit)"


def test_the_continuous_count_names_the_breaks_and_restarts_after_them():
    case = record_break(a_case(), BreakKind.ATTENDED, date(2026, 11, 4), CALENDAR, date(2026, 11, 5)).case
    continuous = preconditions(case, CALENDAR, DAY_20)[0]
    assert not continuous.met
    assert continuous.detail == ("Day 17 since 5 November 2026 (breaks: attended on 4 November); "
                                 "agreement from Day 21, Thursday 3 December 2026")


def test_unmet_names_only_what_is_missing():
    case = replace(worked_to_day_20(), cme_referral_on=None, checklist_completed_on=None)
    assert [p.label for p in unmet(case, CALENDAR, DAY_21)] == ["CME referral completed",
                                                                "Missing pupil checklist complete"]


# request

def test_removal_can_be_requested_from_day_20():
    change = request_removal(worked_to_day_20(), CALENDAR, DAY_20, REQUEST)
    assert change.case.state is State.REMOVAL_REQUESTED
    assert change.case.removal_requested_on == DAY_20
    assert change.event == "removal_requested"
    assert change.data == {"request": REQUEST, "legal_tests": ["unauthorised_sessions", "no_sickness_grounds",
                                                                "joint_enquiries"],
                           "legal_tests_by": "Sam School", "legal_tests_on": "2026-11-27"}
    assert change.summary == "Removal from roll requested from the CME Pupil Tracking Officer"


def test_removal_before_day_20_is_refused_with_the_date_it_becomes_possible():
    with pytest.raises(ProcedureError) as refused:
        request_removal(a_case(), CALENDAR, date(2026, 11, 26), REQUEST)
    assert str(refused.value) == ("Removal from roll can be requested from Day 20 of continuous absence, "
                                  "Friday 27 November 2026.")


def test_a_request_with_preconditions_unmet_still_goes_to_the_tracking_officer():
    change = request_removal(a_case(), CALENDAR, DAY_21, REQUEST, EVERY_LEGAL_TEST, SCHOOL_STAFF)
    assert change.case.state is State.REMOVAL_REQUESTED
    assert len(unmet(change.case, CALENDAR, DAY_21)) == 5


def test_removal_requested_twice_is_refused():
    with pytest.raises(ProcedureError, match="already requested: the tracking officer has the request"):
        request_removal(requested(), CALENDAR, DAY_21, "request-2")


def test_no_request_on_a_closed_case():
    closed = record_outcome(worked_to_day_20(), Outcome.RETURNED, DAY_21).case
    with pytest.raises(ProcedureError, match="This case is closed, so you cannot request removal from roll."):
        request_removal(closed, CALENDAR, DAY_21, REQUEST)


# agree

def test_agreement_sets_the_off_roll_date_to_the_day_of_agreement():
    change = agree_removal(requested(), CALENDAR, DAY_21, REQUEST, REQUEST)
    assert change.case.state is State.REMOVAL_AGREED
    assert change.case.off_roll_date == DAY_21
    assert change.event == "removal_agreed"
    assert change.data == {"request": REQUEST, "off_roll_date": "2026-11-30"}
    assert change.summary == "Removal from roll agreed; off-roll date 30 November 2026"


def test_the_off_roll_date_is_never_back_dated_to_the_request_or_the_absence():
    case = requested(on=DAY_20)
    agreed_later = agree_removal(case, CALENDAR, LATER, REQUEST, REQUEST).case
    assert agreed_later.off_roll_date == LATER
    assert agreed_later.off_roll_date > agreed_later.removal_requested_on > agreed_later.first_day_absent
    removed = confirm_removed(agreed_later, date(2026, 12, 10), LATER, LATER)
    assert removed.case.off_roll_date == LATER
    assert removed.data == {"off_roll_date": "2026-12-07", "ctf_sent_on": "2026-12-07",
                            "deletion_return_on": "2026-12-07"}


def test_agreement_is_refused_while_a_precondition_is_unmet_naming_each():
    case = requested(a_case())
    with pytest.raises(ProcedureError) as refused:
        agree_removal(case, CALENDAR, DAY_21, REQUEST, REQUEST)
    message = str(refused.value)
    assert message.startswith("Removal from roll cannot be agreed yet. Still missing: ")
    for missing in ("Day 1-5 enquiries logged (none logged (still needed: Phone call, Home visit))",
                    "Education Welfare Service contacted (not yet)", "Day 20 review with EWS (not yet)",
                    "CME referral completed (not yet)", "Missing pupil checklist complete (not yet)"):
        assert missing in message
    assert "20 continuous school days completed" not in message


@pytest.mark.parametrize("request_id, current", [("request-old", REQUEST), (REQUEST, "request-new")])
def test_a_stale_request_cannot_be_decided(request_id, current):
    case = requested()
    for decide in (lambda: agree_removal(case, CALENDAR, DAY_21, request_id, current),
                   lambda: decline_removal(case, DAY_21, request_id, current, "No"),
                   lambda: ask_more_enquiries(case, DAY_21, request_id, current, "More")):
        with pytest.raises(ProcedureError, match="This request has been decided already."):
            decide()


def test_a_request_decided_already_cannot_be_decided_again():
    case = agreed()
    with pytest.raises(ProcedureError, match="This request has been decided already."):
        agree_removal(case, CALENDAR, LATER, REQUEST, REQUEST)
    with pytest.raises(ProcedureError, match="This request has been decided already."):
        decline_removal(case, LATER, REQUEST, REQUEST, "Changed my mind")


# decline and ask for more enquiries

def test_declining_sends_the_case_back_to_enquiries_with_day_20_due_again():
    change = decline_removal(requested(), DAY_21, REQUEST, REQUEST, "  A sibling was seen in town  ")
    case = change.case
    assert case.state is State.REMOVAL_DECLINED
    assert case.day20_review_on is None and case.removal_requested_on is None
    assert case.cme_referral_on is not None
    assert not case.milestone_done(Milestone.DAY_20)
    assert change.reopened == (Milestone.DAY_20,)
    assert change.event == "removal_declined"
    assert change.data == {"request": REQUEST, "why": "A sibling was seen in town"}
    assert change.summary == "Removal from roll declined: A sibling was seen in town"


def test_declining_needs_a_reason():
    with pytest.raises(ProcedureError, match="Give the reason for declining: the school is told it."):
        decline_removal(requested(), DAY_21, REQUEST, REQUEST, "   ")


def test_asking_for_more_enquiries_reopens_enquiries():
    change = ask_more_enquiries(requested(), DAY_21, REQUEST, REQUEST, "Ask the siblings' school again")
    assert change.case.state is State.ENQUIRIES
    assert change.case.day20_review_on is None
    assert change.reopened == (Milestone.DAY_20,)
    assert change.event == "more_enquiries_asked"
    assert change.summary == "More enquiries asked for: Ask the siblings' school again"


def test_asking_for_more_enquiries_needs_to_say_which():
    with pytest.raises(ProcedureError, match="Say which enquiries the school should make."):
        ask_more_enquiries(requested(), DAY_21, REQUEST, REQUEST, "")


def test_after_a_decline_a_new_request_needs_a_new_day_20_review_before_agreement():
    declined = decline_removal(requested(), DAY_21, REQUEST, REQUEST, "Seen in town").case
    again = request_removal(declined, CALENDAR, LATER, "request-2", EVERY_LEGAL_TEST, SCHOOL_STAFF).case
    with pytest.raises(ProcedureError, match=r"Still missing: Day 20 review with EWS \(not yet\)\."):
        agree_removal(again, CALENDAR, LATER, "request-2", "request-2")


# confirm removed

def test_confirming_removal_closes_the_schools_part_and_leaves_the_child_out_of_provision():
    change = confirm_removed(agreed(), LATER, DAY_21, date(2026, 12, 1))
    assert change.case.state is State.OUT_OF_PROVISION and not change.case.is_open
    assert change.case.outcome is Outcome.REMOVED_FROM_ROLL
    assert change.event == "removed_from_roll"
    assert change.summary == ("Closed for the school: removed from roll on 30 November 2026; deletion return made on "
                              "1 December 2026; Common Transfer File sent to the Lost Pupils Database on 30 November "
                              "2026. The child stays on the local authority's register, out of provision")


@pytest.mark.parametrize("state", [State.REMOVAL_REQUESTED, State.CME_REFERRAL, State.REMOVAL_DECLINED])
def test_removal_cannot_be_confirmed_before_agreement(state):
    case = worked_to_day_20()
    with pytest.raises(ProcedureError, match="Removal from roll has not been agreed by the tracking officer."):
        confirm_removed(replace(case, state=state), LATER)


# twenty whole school days: agreed from Day 21 (regulation 9(1)(i) of the 2024 regulations)

def test_on_day_20_removal_may_be_requested_but_not_agreed():
    case = requested(on=DAY_20)
    with pytest.raises(ProcedureError) as refused:
        agree_removal(case, CALENDAR, DAY_20, REQUEST, REQUEST)
    assert str(refused.value) == (
        "Removal from roll cannot be agreed yet. Still missing: 20 continuous school days completed "
        "(Day 20 since 2 November 2026; agreement from Day 21, Monday 30 November 2026).")
    assert [p.label for p in unmet(case, CALENDAR, DAY_20)] == ["20 continuous school days completed"]


def test_agreed_on_day_21_the_off_roll_date_is_day_21():
    assert agree_removal(requested(on=DAY_20), CALENDAR, DAY_21, REQUEST, REQUEST).case.off_roll_date == DAY_21


def test_agreement_on_a_day_the_school_is_shut_is_refused_naming_the_next_school_day():
    with pytest.raises(ProcedureError) as refused:
        agree_removal(requested(), CALENDAR, SATURDAY, REQUEST, REQUEST)
    assert str(refused.value) == (
        "Removal from roll cannot be agreed today: the off-roll date is the date of agreement and must be a "
        "school day; Saturday 5 December 2026 is not (a weekend). Agree it on Monday 7 December 2026 or later.")


@pytest.mark.parametrize("today, earliest", [
    (DAY_1, DAY_21), (DAY_20, DAY_21), (DAY_21, DAY_21), (SATURDAY, LATER), (LATER, LATER)])
def test_the_earliest_off_roll_date_is_day_21_and_never_before_today(today, earliest):
    assert earliest_off_roll_date(worked_to_day_20(), CALENDAR, today) == earliest


# the gate refuses while Day 20 or Day 21 is past the term dates

def test_removal_cannot_be_requested_while_day_20_is_past_the_term_dates():
    with pytest.raises(ProcedureError) as refused:
        request_removal(worked_to_day_20(), ENDING_BEFORE_DAY_20, DAY_21, REQUEST)
    assert str(refused.value) == (
        "Removal from roll cannot be requested yet: the date of Day 20 is not known, because the term dates "
        "end on 26 November 2026: an administrator must import next year's.")


def test_past_the_term_dates_the_count_stands_and_agreement_is_refused_with_the_reason():
    case = requested(on=DAY_20)
    continuous = preconditions(case, ENDING_ON_DAY_20, LATER)[0]
    assert not continuous.met
    assert continuous.detail == (
        "Day 20 since 2 November 2026; by 27 November 2026, the last date the term dates cover (today's count is "
        "not known yet: the term dates end on 27 November 2026: an administrator must import next year's)")
    with pytest.raises(ProcedureError, match="Still missing: 20 continuous school days completed"):
        agree_removal(case, ENDING_ON_DAY_20, LATER, REQUEST, REQUEST)
    assert earliest_off_roll_date(case, ENDING_ON_DAY_20, DAY_20) is None


def test_on_day_20_with_the_term_dates_ending_that_day_day_21_is_not_known():
    continuous = preconditions(worked_to_day_20(), ENDING_ON_DAY_20, DAY_20)[0]
    assert continuous.detail == ("Day 20 since 2 November 2026; the date of Day 21 is not known yet: the term "
                                 "dates end on 27 November 2026: an administrator must import next year's")


def test_agreement_is_refused_on_a_day_past_the_term_dates_even_with_day_21_known():
    ending_on_day_21 = replace(CALENDAR, covers=(date(2026, 9, 1), DAY_21))
    with pytest.raises(ProcedureError) as refused:
        agree_removal(requested(), ending_on_day_21, LATER, REQUEST, REQUEST)
    assert str(refused.value) == (
        "Removal from roll cannot be agreed today: the off-roll date must be a school day, and whether the "
        "school is open today is not known, because the term dates end on 30 November 2026: an administrator "
        "must import next year's.")
