"""The Day 1 risk notifications followed up, and the 1 to 10 day notice to the tracking officer (policy 8.4.1):
when each is due, what records it, and what the case card and the channel cards say."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from cards.case_card import CaseView, case_card
from cards.deadlines import DeadlineView, deadline_card
from cards.reminders import DigestLine, digest_card
from cme.calendar import SchoolCalendar
from cme.case import Risk
from cme.casework import complete_cme_referral, record_break, record_triage
from cme.deadlines import Deadline, deadlines
from cme.milestones import BreakKind
from tests.unit.builders import AT_RISK, CALENDAR, DAY_1, DAY_5, REFERENCE, a_case, card_text

WEDNESDAY = date(2026, 11, 4)
THURSDAY = date(2026, 11, 5)
LEFT = {"reason": "moved_no_school", "last_day_attended": date(2026, 10, 23)}


def view(case, today, due: dict | None = None) -> CaseView:
    return CaseView(case=case, school_name="Imaginary Academy (fictional)", day=case.day_number(CALENDAR, today),
                    due=case.due_dates(CALENDAR), overdue=case.overdue(CALENDAR, today), today=today, key="k",
                    deadlines=due if due is not None else deadlines(case, CALENDAR, DAY_1))


def test_a_yes_reported_on_wednesday_is_due_by_the_end_of_wednesday_and_recording_it_completes_it():
    case = a_case(risk=AT_RISK)
    assert deadlines(case, CALENDAR, WEDNESDAY) == {Deadline.RISK_NOTIFIED: WEDNESDAY}
    assert deadlines(a_case(), CALENDAR, WEDNESDAY) == {}, "no yes, nothing to notify"
    change = record_triage(case, ["social_care"], "4 November 10:40", "", THURSDAY)
    assert change.done == {Deadline.RISK_NOTIFIED: THURSDAY}


def test_a_new_run_asks_for_the_notifications_again_from_its_own_day_1():
    case = record_triage(a_case(risk=AT_RISK), ["police"], "2 November", "", DAY_1).case
    change = record_break(case, BreakKind.ATTENDED, WEDNESDAY, CALENDAR, WEDNESDAY)
    assert change.case.triage_outstanding
    assert change.milestones[Deadline.RISK_NOTIFIED] == THURSDAY, "the run's Day 1, the school day after the break"


def test_a_pupil_who_left_is_notified_within_ten_school_days_of_the_last_day_attended():
    # Last attended Friday 23 October; half term; the 10th school day after it is Friday 13 November.
    assert deadlines(a_case(**LEFT), CALENDAR, DAY_1) == {Deadline.OFFICER_TOLD: date(2026, 11, 13)}
    assert deadlines(a_case(reason="unknown"), CALENDAR, DAY_1) == {}, "not said to have left"
    no_date = a_case(reason="withdrawn_no_alternative")
    assert deadlines(no_date, CALENDAR, DAY_1) == {Deadline.OFFICER_TOLD: date(2026, 11, 13)}, \
        "without a last day attended, the school day before Day 1"
    attended = record_break(a_case(**LEFT), BreakKind.ATTENDED, WEDNESDAY, CALENDAR, WEDNESDAY)
    assert attended.milestones[Deadline.OFFICER_TOLD] == date(2026, 11, 18), "counted from the day attended"


def test_the_notice_past_the_term_dates_is_not_guessed():
    short = SchoolCalendar("Short (fictional)", closures=CALENDAR.closures, covers=(date(2026, 9, 1),
                                                                                     date(2026, 11, 10)))
    assert deadlines(a_case(**LEFT), short, DAY_1) == {Deadline.OFFICER_TOLD: date(2026, 11, 11)}


def test_the_cme_referral_is_the_notice():
    change = complete_cme_referral(a_case(**LEFT), "Checklist attached", WEDNESDAY)
    assert change.done == {Deadline.OFFICER_TOLD: WEDNESDAY}
    assert complete_cme_referral(a_case(), "", WEDNESDAY).done is None, "a pupil not said to have left"


def test_the_case_card_says_when_the_notifications_are_overdue():
    case = a_case(risk=AT_RISK)
    text = card_text(case_card(view(case, WEDNESDAY, {Deadline.RISK_NOTIFIED: DAY_1})))
    assert "Overdue: who was notified was to be recorded by the end of Monday 2 November" in text
    assert "Overdue: who" not in card_text(case_card(view(case, DAY_1, {Deadline.RISK_NOTIFIED: DAY_1})))


def test_the_case_card_says_notify_the_tracking_officer_by_the_date_with_the_referral_before_day_20():
    case = a_case(**LEFT)
    text = card_text(case_card(view(case, WEDNESDAY)))
    assert "Notify the CME Pupil Tracking Officer by Friday 13 November 2026" in text
    assert "policy 8.4.1" in text
    assert "[Complete CME referral]" in text and "[Missing pupil checklist]" in text, "on Day 3"
    late = card_text(case_card(view(case, date(2026, 11, 16))))
    assert "Overdue: notify the CME Pupil Tracking Officer by Friday 13 November 2026" in late
    told = complete_cme_referral(case, "", THURSDAY).case
    assert "CME Pupil Tracking Officer told: CME referral on 5 November 2026" in card_text(
        case_card(view(told, date(2026, 11, 16))))
    assert "Notify the CME" not in card_text(case_card(view(a_case(), WEDNESDAY)))


def test_looked_after_tag_against_a_not_looked_after_answer_is_questioned():
    tagged = a_case(risk_groups=("looked_after",), risk=Risk(suspected_harm_or_crime=True))
    assert "Which is right?" in card_text(case_card(view(tagged, WEDNESDAY)))
    agreed = replace(tagged, risk=Risk(looked_after=True))
    assert "Which is right?" not in card_text(case_card(view(agreed, WEDNESDAY)))


def test_channel_cards_name_the_deadline_by_reference_only():
    card = card_text(deadline_card(DeadlineView(REFERENCE, "Imaginary Academy (fictional)", Deadline.RISK_NOTIFIED,
                                                DAY_1, THURSDAY)))
    assert f"Day 1 risk notifications: {REFERENCE}" in card and "by the end of Monday 2 November 2026" in card
    assert "Testy" not in card and "child protection plan" not in card
    notice = card_text(deadline_card(DeadlineView(REFERENCE, "Imaginary Academy (fictional)",
                                                  Deadline.OFFICER_TOLD, date(2026, 11, 13), date(2026, 11, 13))))
    assert "must be told within 10 school days of the last day attended, by Friday 13 November 2026" in notice
    digest = card_text(digest_card(THURSDAY, [DigestLine(REFERENCE, "Imaginary Academy (fictional)", 4,
                                                         [(Deadline.RISK_NOTIFIED, DAY_1), (Deadline.OFFICER_TOLD,
                                                                                            DAY_5)])]))
    assert "Day 1 risk notifications (who was notified, not recorded) since 2 Nov" in digest
    assert "Tell the tracking officer (CME referral) since 6 Nov" in digest

