"""School-day arithmetic on the shipped example calendar."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cme.calendar import CalendarError, NotKnownYet
from cme.milestones import Milestone, due_dates, known_due_dates, next_milestone
from cme.term_dates import parse_term_dates

EXAMPLE = Path(__file__).parents[2] / "config" / "term-dates.example.toml"
TERM_DATES = parse_term_dates(EXAMPLE.read_text(encoding="utf-8"))
OAKWOOD = TERM_DATES.calendar_for("900001", "Oakwood Primary School")
RIVERSIDE = TERM_DATES.calendar_for("900002", "Riverside Academy")

covered_days = st.dates(min_value=date(2025, 9, 1), max_value=date(2027, 5, 31))


def school_day(day: date) -> date:
    return OAKWOOD.school_day_on_or_after(day)


def test_the_example_is_marked_as_an_example():
    assert TERM_DATES.example
    assert "REPLACE THEM WITH YOUR OWN" in EXAMPLE.read_text()


@pytest.mark.parametrize("day, why", [
    (date(2026, 11, 28), "a weekend"),
    (date(2026, 12, 25), "a bank holiday (Christmas Day)"),
    (date(2026, 12, 28), "a bank holiday (Boxing Day (observed))"),
    (date(2026, 10, 27), "Autumn half term"),
    (date(2027, 1, 4), "INSET day"),
    (date(2026, 5, 4), "a bank holiday (May Day)"),
])
def test_closed_days(day, why):
    assert not OAKWOOD.is_school_day(day)
    assert OAKWOOD.closure_on(day) == why


def test_school_overrides_add_inset_days_and_open_days():
    assert OAKWOOD.is_school_day(date(2026, 11, 27)) and not RIVERSIDE.is_school_day(date(2026, 11, 27))
    assert RIVERSIDE.is_school_day(date(2027, 1, 4)) and not OAKWOOD.is_school_day(date(2027, 1, 4))


def test_day_5_and_day_20_across_half_term_and_christmas():
    # Day 1 on Monday 19 October 2026: half term 26-30 October is skipped.
    assert OAKWOOD.date_of_day(date(2026, 10, 19), 5) == date(2026, 10, 23)
    assert OAKWOOD.date_of_day(date(2026, 10, 19), 6) == date(2026, 11, 2)
    assert OAKWOOD.date_of_day(date(2026, 10, 19), 20) == date(2026, 11, 20)
    # Day 1 on Monday 14 December 2026: the Christmas holiday and the INSET day of 4 January are skipped.
    assert OAKWOOD.date_of_day(date(2026, 12, 14), 5) == date(2026, 12, 18)
    assert OAKWOOD.date_of_day(date(2026, 12, 14), 20) == date(2027, 1, 25)
    assert OAKWOOD.day_number(date(2026, 12, 14), date(2027, 1, 1)) == 5


def test_day_one_must_be_a_school_day():
    with pytest.raises(CalendarError, match="not a school day .*Autumn half term"):
        OAKWOOD.date_of_day(date(2026, 10, 27), 5)


def test_next_school_day_skips_weekend_and_holiday():
    assert OAKWOOD.next_school_day(date(2026, 12, 18)) == date(2027, 1, 5)
    assert OAKWOOD.next_school_day(date(2026, 11, 26)) == date(2026, 11, 27)


@settings(max_examples=200, deadline=None)
@given(start=covered_days, n=st.integers(min_value=1, max_value=60))
def test_day_n_and_back_agree(start, n):
    day_one = school_day(start)
    day_n = OAKWOOD.known_date_of_day(day_one, n)
    assume(day_n is not None)
    assert OAKWOOD.day_number(day_one, day_n) == n
    assert OAKWOOD.is_school_day(day_n)


@settings(max_examples=200, deadline=None)
@given(start=covered_days, n=st.integers(min_value=1, max_value=60))
def test_a_non_school_day_is_never_day_n(start, n):
    day_one = school_day(start)
    day_n = OAKWOOD.known_date_of_day(day_one, n)
    assume(day_n is not None)
    assert OAKWOOD.closure_on(day_n) is None
    # the count stands still across every closed day after Day N until the next school day
    day = day_n + timedelta(days=1)
    while not OAKWOOD.is_school_day(day):
        assert OAKWOOD.day_number(day_one, day) == n
        day += timedelta(days=1)


@settings(max_examples=100, deadline=None)
@given(start=st.dates(min_value=date(2026, 9, 7), max_value=date(2026, 10, 23)),
       n=st.integers(min_value=10, max_value=60))
def test_counting_across_half_term_and_christmas_skips_exactly_the_closed_days(start, n):
    day_one = school_day(start)
    day_n = OAKWOOD.date_of_day(day_one, n)
    span = [day_one + timedelta(days=i) for i in range((day_n - day_one).days + 1)]
    closed = [d for d in span if d.weekday() >= 5 or OAKWOOD.closure_on(d) is not None]
    assert len(span) - len(closed) == n
    half_term = [date(2026, 10, 26) + timedelta(days=i) for i in range(5)]
    christmas_weekdays = [d for d in (date(2026, 12, 21) + timedelta(days=i) for i in range(12)) if d.weekday() < 5]
    for closed_day in half_term + christmas_weekdays + [date(2027, 1, 4)]:
        if day_one <= closed_day <= day_n:
            assert closed_day in closed


def test_bad_term_dates_are_explained():
    with pytest.raises(CalendarError, match="must name its local authority"):
        parse_term_dates("example = true")
    with pytest.raises(CalendarError, match="YYYY-MM-DD"):
        parse_term_dates('authority = "X"\n[[closure]]\nname = "Half term"\nfrom = "next week"')
    with pytest.raises(CalendarError, match="ends .* before it starts"):
        parse_term_dates('authority = "X"\n[[closure]]\nname = "H"\nfrom = 2026-10-30\nto = 2026-10-26')


# Past the term dates (the example's end on 31 August 2027) nothing is guessed.

ENDS = "the term dates end on 31 August 2027: an administrator must import next year's"
# Day 1 on Monday 12 July 2027: 8 school days to the summer holiday, then the term dates end.
LATE_DAY_ONE = date(2027, 7, 12)


def test_a_day_past_the_term_dates_is_not_known_and_says_why():
    assert OAKWOOD.date_of_day(LATE_DAY_ONE, 8) == date(2027, 7, 21)
    with pytest.raises(NotKnownYet) as unknown:
        OAKWOOD.date_of_day(LATE_DAY_ONE, 9)
    assert str(unknown.value) == f"The date of Day 9 is not known yet: {ENDS}."
    assert OAKWOOD.known_date_of_day(LATE_DAY_ONE, 20) is None
    assert not OAKWOOD.is_known(date(2027, 9, 1)) and OAKWOOD.is_known(date(2027, 8, 31))
    assert OAKWOOD.unknown_reason == ENDS


def test_the_count_past_the_term_dates_stands_at_the_last_known_one():
    # September's weekdays would make it Day 18 on 15 September if they were guessed to be school days.
    assert OAKWOOD.day_number(LATE_DAY_ONE, date(2027, 9, 15)) == 8
    assert OAKWOOD.day_number(LATE_DAY_ONE, date(2027, 8, 31)) == 8


@settings(max_examples=200, deadline=None)
@given(start=st.dates(min_value=date(2027, 3, 1), max_value=date(2027, 8, 31)), n=st.integers(1, 60))
def test_a_date_is_either_counted_within_the_term_dates_or_not_known(start, n):
    day_one = school_day(start)
    day_n = OAKWOOD.known_date_of_day(day_one, n)
    if day_n is None:
        assert OAKWOOD.day_number(day_one, date(2027, 12, 31)) < n
    else:
        assert day_n <= date(2027, 8, 31) and OAKWOOD.day_number(day_one, day_n) == n


def test_milestones_past_the_term_dates_are_not_known_and_stored_as_the_earliest_they_can_be():
    assert known_due_dates(OAKWOOD, LATE_DAY_ONE) == {Milestone.DAY_5: date(2027, 7, 16), Milestone.DAY_20: None}
    assert due_dates(OAKWOOD, LATE_DAY_ONE) == {Milestone.DAY_5: date(2027, 7, 16),
                                                Milestone.DAY_20: date(2027, 9, 1)}
    assert next_milestone(OAKWOOD, LATE_DAY_ONE, date(2027, 7, 19)) == (Milestone.DAY_20, None)


def test_school_days_left_in_the_term_dates():
    assert OAKWOOD.school_days_left(date(2027, 7, 19)) == 2
    assert OAKWOOD.school_days_left(date(2027, 8, 31)) == 0
