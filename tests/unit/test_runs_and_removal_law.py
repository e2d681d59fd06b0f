"""Each run of continuous absence has its own milestones and preconditions; removal rests on the tests of
regulation 9(1)(i) of the 2024 regulations, confirmed with who and when; after agreement the deletion return
(regulation 13(4)) comes first, and Confirm removed records it and the Common Transfer File with their dates."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from cards.case_card import CaseView, case_card
from cards.history import describe
from cards.reminders import ReminderView, reminder_card
from cards.removal import Decision, RemovalView, removal_request_card, removal_school_card
from cards.validate import problems
from cme.casework import complete_cme_referral, contact_ews, log_enquiry, record_break, review_day_20
from cme.lifecycle import ProcedureError
from cme.milestones import BreakKind, Milestone
from cme.removal import (
    AFTER_AGREEMENT,
    agree_removal,
    confirm_removed,
    decline_removal,
    preconditions,
    request_removal,
    unmet,
)
from tests.unit.builders import (
    CALENDAR,
    DAY_20,
    DAY_21,
    EVERY_LEGAL_TEST,
    REFERENCE,
    SCHOOL,
    SCHOOL_STAFF,
    a_case,
    card_text,
    worked_to_day_20,
)

# Run 1: Day 1 Monday 2 November 2026, Day 20 Friday 27 November; the pupil attends on Monday 30 November.
ATTENDED = DAY_21
RUN_2 = date(2026, 12, 1)  # Tuesday: Day 1 of run 2
RUN_2_DAY_5 = date(2026, 12, 7)
RUN_2_DAY_20 = date(2027, 1, 12)  # the Christmas holiday and the INSET day of 4 January are not counted
LEGAL_LABELS = ("Every session unauthorised (G, N or O)", "No grounds to believe sickness or an unavoidable cause",
                "Joint reasonable enquiries by the school and the local authority")


def second_run():
    return record_break(worked_to_day_20(), BreakKind.ATTENDED, ATTENDED, CALENDAR, ATTENDED)


# item 3: a second run of absence is a new run

def test_a_break_after_the_day_20_review_starts_a_run_whose_milestones_are_not_done():
    change = second_run()
    case = change.case
    assert change.milestones == {Milestone.DAY_5: RUN_2_DAY_5, Milestone.DAY_20: RUN_2_DAY_20}
    assert change.done is None
    assert not case.milestone_done(Milestone.DAY_5) and not case.milestone_done(Milestone.DAY_20)
    assert case.overdue(CALENDAR, date(2026, 12, 8)) == [Milestone.DAY_5]
    assert case.overdue(CALENDAR, date(2027, 1, 13)) == [Milestone.DAY_5, Milestone.DAY_20]


def test_the_history_shows_the_new_run_and_what_the_earlier_one_had_done():
    change = second_run()
    assert change.data["run"] == 2 and change.data["previous_run_began"] == "2026-11-02"
    assert change.data["set_aside"] == ["checklist_completed_on", "cme_referral_on", "day20_review_on",
                                        "ews_contacted_on"]
    assert "Run 2 of the absence began then, with its own Day 5 and Day 20" in change.summary
    assert describe(change.event, change.data) == "break (attended) on 2026-11-30, run 2 began 2026-12-01"


def test_removal_cannot_rest_on_the_previous_runs_review_and_referral():
    case = second_run().case
    missing = [p.label for p in unmet(case, CALENDAR, date(2027, 1, 13))]
    assert missing == ["Day 1-5 enquiries logged", "Education Welfare Service contacted", "Day 20 review with EWS",
                       "CME referral completed", "Missing pupil checklist complete", *LEGAL_LABELS]
    with pytest.raises(ProcedureError, match="can be requested from Day 20 of continuous absence, Tuesday 12 January"):
        request_removal(case, CALENDAR, date(2027, 1, 11), "r2", EVERY_LEGAL_TEST, SCHOOL_STAFF)


def test_the_new_runs_steps_can_be_recorded_again():
    case = second_run().case
    case = contact_ews(case, "Told EWS the pupil is missing again", RUN_2_DAY_5).case
    assert case.ews_contacted_on == RUN_2_DAY_5
    case = review_day_20(case, "Run 2 reviewed", CALENDAR, RUN_2_DAY_20).case
    change = complete_cme_referral(case, "Referral for run 2", RUN_2_DAY_20)
    assert change.done == {Milestone.DAY_20: RUN_2_DAY_20}


def test_a_break_recorded_late_keeps_what_was_done_after_it():
    case = log_enquiry(a_case(), "phone_call", "No answer", "", date(2026, 11, 2)).case
    case = log_enquiry(case, "home_visit", "Nobody in", "", date(2026, 11, 5)).case
    case = contact_ews(case, "Spoke to EWS", date(2026, 11, 6)).case
    change = record_break(case, BreakKind.AUTHORISED, date(2026, 11, 3), CALENDAR, date(2026, 11, 9))
    assert change.case.run_start == date(2026, 11, 4)
    assert change.case.ews_contacted_on == date(2026, 11, 6)
    assert change.case.enquiry_kinds == {"home_visit"}
    assert change.data["set_aside"] == []


def test_breaks_on_consecutive_school_days_restart_the_count_once():
    case = record_break(a_case(), BreakKind.ATTENDED, date(2026, 11, 4), CALENDAR, date(2026, 11, 6)).case
    change = record_break(case, BreakKind.ATTENDED, date(2026, 11, 5), CALENDAR, date(2026, 11, 6))
    assert change.data["run"] == 2 and change.case.run_start == date(2026, 11, 6)


# item 4: the tests of regulation 9(1)(i), confirmed and recorded

def test_removal_is_refused_until_the_school_confirms_every_legal_test():
    case = replace(worked_to_day_20(), legal_tests=None)
    with pytest.raises(ProcedureError) as refused:
        request_removal(case, CALENDAR, DAY_20, "r1", {"unauthorised_sessions"}, SCHOOL_STAFF)
    said = str(refused.value)
    assert said.startswith("Removal from roll can be requested only when the school confirms the tests of "
                           "regulation 9(1)(i) of the 2024 regulations. Not confirmed: The school has no reasonable "
                           "grounds to believe the pupil is unable to attend because of sickness or an unavoidable "
                           "cause. The school and the local authority have jointly made reasonable enquiries")
    assert "code G, N or O" not in said
    with pytest.raises(ProcedureError, match="Not confirmed: Every session"):
        request_removal(case, CALENDAR, DAY_20, "r1")


def test_the_confirmation_is_recorded_with_who_and_when_and_shown_to_the_officer():
    case = replace(worked_to_day_20(), legal_tests=None)
    change = request_removal(case, CALENDAR, DAY_21, "r1", EVERY_LEGAL_TEST, "Sam Staff (fictional)")
    assert change.data["legal_tests"] == ["unauthorised_sessions", "no_sickness_grounds", "joint_enquiries"]
    assert change.data["legal_tests_by"] == "Sam Staff (fictional)" and change.data["legal_tests_on"] == "2026-11-30"
    assert describe(change.event, change.data).startswith("requested removal from roll, confirming: Every session")
    view = RemovalView(reference=REFERENCE, school_name=SCHOOL, day=21, request_id="r1", requested_by="Sam Staff",
                       requested_at=datetime(2026, 11, 30, 10, tzinfo=UTC),
                       preconditions=preconditions(change.case, CALENDAR, DAY_21), pupil_name="Testy McTestface")
    text = card_text(removal_request_card(view))
    for label in LEGAL_LABELS:
        assert f"✅ {label}: confirmed by Sam Staff (fictional) on 30 November 2026" in text


def test_a_decline_or_a_new_run_needs_the_tests_confirmed_again():
    requested = request_removal(worked_to_day_20(), CALENDAR, DAY_21, "r1").case
    declined = decline_removal(requested, DAY_21, "r1", "r1", "Seen in town").case
    assert declined.legal_tests is None
    assert second_run().case.legal_tests is None


def test_the_request_forms_ask_the_three_questions():
    view = CaseView(case=worked_to_day_20(), school_name=SCHOOL, day=21, due=worked_to_day_20().due_dates(CALENDAR),
                    overdue=[], today=DAY_21, key="k1", can_work=True, can_request_removal=True)
    channel = ReminderView(reference=REFERENCE, school_name=SCHOOL, milestone=Milestone.DAY_20, day=21,
                           due_on=DAY_20, on_date=DAY_21, done=[], outstanding=["review"], removal_requestable=True)
    for card in (case_card(view), reminder_card(channel)):
        assert problems(card) == []
        text = card_text(card)
        for question in ("code G, N or O", "no reasonable grounds to believe", "jointly made reasonable enquiries"):
            assert f"{question}" in text


# item 5: the deletion return first; Confirm removed records it and the CTF

def test_the_deletion_return_comes_before_removal_as_a_leaver():
    assert AFTER_AGREEMENT[0].startswith("Send the deletion return to the local authority now, before the name is "
                                         "deleted (regulation 13(4))")
    assert AFTER_AGREEMENT[1].startswith("Remove the pupil as a leaver")
    assert "Lost Pupils Database" in AFTER_AGREEMENT[2]


def agreed():
    requested = request_removal(worked_to_day_20(), CALENDAR, DAY_21, "r1").case
    return agree_removal(requested, CALENDAR, DAY_21, "r1", "r1").case


@pytest.mark.parametrize("ctf, returned, said", [
    (None, DAY_21, "Give the date the Common Transfer File was uploaded to S2S for the Lost Pupils Database."),
    (DAY_21, None, "Give the date the deletion return was sent to the local authority."),
    (date(2026, 12, 2), DAY_21, "cannot be after today, 1 December 2026."),
    (DAY_21, DAY_20, "The date the deletion return was sent to the local authority cannot be before removal was "
                     "agreed, 30 November 2026."),
])
def test_confirm_removed_needs_both_dates_not_in_the_future_nor_before_agreement(ctf, returned, said):
    with pytest.raises(ProcedureError, match=said.replace("(", r"\(").replace(")", r"\)")):
        confirm_removed(agreed(), date(2026, 12, 1), ctf, returned)


def test_confirm_removed_stores_both_dates_and_the_history_says_them():
    change = confirm_removed(agreed(), date(2026, 12, 1), date(2026, 12, 1), DAY_21)
    assert change.case.ctf_sent_on == date(2026, 12, 1) and change.case.deletion_return_on == DAY_21
    assert describe(change.event, change.data) == (
        "confirmed removal from roll (off-roll date 2026-11-30; deletion return 2026-11-30; CTF to the Lost Pupils "
        "Database (S2S) 2026-12-01)")


def test_the_schools_card_after_agreement_asks_for_both_dates():
    view = RemovalView(reference=REFERENCE, school_name=SCHOOL, day=21, request_id="r1", requested_by="Sam Staff",
                       requested_at=datetime(2026, 11, 30, 10, tzinfo=UTC), preconditions=[],
                       pupil_name="Testy McTestface",
                       decision=Decision("agreed", "Tara Tracker (fictional)", datetime(2026, 11, 30, 11, tzinfo=UTC),
                                         off_roll_date=DAY_21))
    card = removal_school_card(view)
    assert problems(card) == []
    text = card_text(card)
    assert "1. Send the deletion return" in text and "2. Remove the pupil as a leaver" in text
    assert "Deletion return sent to the local authority on=" in text
    assert "Common Transfer File uploaded to S2S (Lost Pupils Database) on=" in text
