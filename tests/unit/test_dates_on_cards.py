"""The dates the cards show: not known yet past the term dates, and the earliest off-roll date (Day 21)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from cards.case_card import CaseView, case_card
from cards.case_list import CaseLine, case_list_card
from cards.removal import RemovalView, removal_channel_card, removal_request_card
from cards.validate import problems
from cme.calendar import SchoolCalendar
from cme.case import Case
from cme.milestones import Milestone
from cme.removal import earliest_off_roll_date, preconditions, request_removal
from tests.unit.builders import CALENDAR, DAY_1, DAY_20, DAY_21, SCHOOL, a_case, card_text, worked_to_day_20

# Term dates that end on Tuesday 17 November 2026, Day 12 of a case whose Day 1 is 2 November.
ENDING = replace(CALENDAR, covers=(date(2026, 9, 1), date(2026, 11, 17)))
ENDS = "the term dates end on 17 November 2026: an administrator must import next year's"
AFTER_THE_END = date(2026, 11, 23)


def shown(card: dict) -> str:
    assert problems(card) == []
    return card_text(card)


def case_view(case: Case, calendar: SchoolCalendar, today: date) -> CaseView:
    """As bot/views/case_cards.py makes it."""
    return CaseView(case=case, school_name=SCHOOL, day=case.day_number(calendar, today),
                    due=case.due_dates(calendar), overdue=case.overdue(calendar, today), today=today, key="k1",
                    can_request_removal=True,
                    counted_until=None if calendar.is_known(today) else calendar.known_until,
                    not_known=calendar.unknown_reason, earliest_off_roll=earliest_off_roll_date(case, calendar, today))


def removal_view(case: Case, calendar: SchoolCalendar, today: date) -> RemovalView:
    """As bot/views/removal_cards.py makes it."""
    return RemovalView(reference=case.reference, school_name=SCHOOL, day=case.day_number(calendar, today),
                       request_id="r1", requested_by="Sam Staff (fictional)",
                       requested_at=datetime(2026, 11, 27, 9, 0, tzinfo=UTC),
                       preconditions=preconditions(case, calendar, today), pupil_name="Testy McTestface",
                       counted_until=None if calendar.is_known(today) else calendar.known_until,
                       not_known=calendar.unknown_reason,
                       earliest_off_roll=earliest_off_roll_date(case, calendar, today))


# Past the term dates: not known yet, with the reason

def test_the_case_card_shows_day_20_as_not_known_when_it_falls_past_the_term_dates():
    text = shown(case_card(case_view(a_case(), ENDING, date(2026, 11, 9))))
    assert "Day 6 of 20 of continuous absence" in text
    assert f"Next: Day 20, on a date not known yet: {ENDS}." in text
    assert f"Earliest off-roll date, if removal from roll is agreed: not known yet: {ENDS}" in text
    assert "27 November" not in text and "30 November" not in text


def test_the_case_card_past_the_term_dates_shows_the_last_count_known_and_why():
    text = shown(case_card(case_view(a_case(), ENDING, AFTER_THE_END)))
    assert ("Day 12 of 20 of continuous absence on Tuesday 17 November 2026, the last date the term dates cover; "
            f"today's count is not known yet: {ENDS}") in text
    assert "Day 16" not in text
    assert "Request removal from roll" not in text


def test_my_cases_shows_a_date_not_known_and_why():
    line = CaseLine("CME-2026-0042", "Testy McTestface", SCHOOL, 12, (Milestone.DAY_20, None), (), "Enquiries",
                    date(2026, 11, 17), ENDS)
    text = shown(case_list_card("Open cases", [line], 1))
    assert f"{SCHOOL} · Day 12 on Tue 17 Nov, not known since · next: Day 20, date not known yet" in text
    assert f"Not known yet: {ENDS}." in text


def test_the_officer_card_past_the_term_dates_says_the_count_and_the_off_roll_date_are_not_known():
    case = request_removal(worked_to_day_20(), CALENDAR, DAY_20, "r1").case
    ending_on_day_20 = replace(CALENDAR, covers=(date(2026, 9, 1), DAY_20))
    card = removal_request_card(removal_view(case, ending_on_day_20, DAY_21))
    text = shown(card)
    assert "Continuous absence: Day 20 on 27 November 2026, not known since (school days)" in text
    assert ("Earliest off-roll date: not known yet: the term dates end on 27 November 2026: an administrator must "
            "import next year's.") in text
    assert "❌ 20 continuous school days completed" in text
    assert "Agreement is not possible until every precondition above is met." in text
    assert "Day 20 on 27 November 2026, not known since" in shown(removal_channel_card(
        replace(removal_view(case, ending_on_day_20, DAY_21), pupil_name="")))


# Day 21: the earliest off-roll date, with the law

def test_the_case_card_shows_day_21_as_the_earliest_off_roll_date_and_the_law():
    text = shown(case_card(case_view(worked_to_day_20(), CALENDAR, DAY_20)))
    assert ("Earliest off-roll date, if removal from roll is agreed: Monday 30 November 2026 (Day 21 at the "
            "earliest, never back-dated).") in text
    assert ("the off-roll date is the date of agreement, a school day no earlier than Day 21, when twenty whole "
            "school days of absence are complete (regulation 9(1)(i) of the School Attendance (Pupil Registration) "
            "(England) Regulations 2024 and the statutory guidance Children missing education (September 2025))."
            ) in text
    early = shown(case_card(case_view(a_case(), CALENDAR, DAY_1)))
    assert "Earliest off-roll date, if removal from roll is agreed: Monday 30 November 2026" in early


def test_the_officer_card_on_day_20_shows_day_21_and_that_agreement_waits_for_it():
    case = request_removal(worked_to_day_20(), CALENDAR, DAY_20, "r1").case
    text = shown(removal_request_card(removal_view(case, CALENDAR, DAY_20)))
    assert ("Earliest off-roll date: Monday 30 November 2026. Removal may be requested on Day 20 but agreed, and "
            "the off-roll date set, only from Day 21, once twenty whole school days of absence are complete: the "
            "off-roll date is the date of agreement, a school day, never back-dated (regulation 9(1)(i) of the "
            "School Attendance (Pupil Registration) (England) Regulations 2024 and the statutory guidance Children "
            "missing education (September 2025)).") in text
    assert ("❌ 20 continuous school days completed: Day 20 since 2 November 2026; agreement from Day 21, Monday 30 "
            "November 2026") in text
    assert "Agreement is not possible until every precondition above is met." in text
    on_day_21 = shown(removal_request_card(removal_view(case, CALENDAR, DAY_21)))
    assert "✅ 20 continuous school days completed: Day 21" in on_day_21
    assert "Agreement is not possible" not in on_day_21
