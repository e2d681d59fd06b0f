"""The DfE CME census counting (cme/census.py): who counts, year group from the date of birth, bands, reasons."""

from __future__ import annotations

from datetime import date

import pytest

from cme.case import Case, Pupil
from cme.census import (
    AWAITING_OUTCOME,
    CensusChild,
    census_rows,
    counts,
    length_band,
    parse_census_date,
    primary_reason,
    year_group,
)
from cme.lifecycle import ProcedureError, State
from cme.rectification import correct

CENSUS = date(2026, 10, 1)


@pytest.mark.parametrize(("born", "census_date", "expected"), [
    (date(2016, 9, 1), date(2026, 10, 1), "Year 5"),  # the oldest of the year: 9 on 31 August 2026
    (date(2016, 8, 31), date(2026, 10, 1), "Year 6"),  # a day older: the youngest of the year above
    (date(2017, 8, 31), date(2026, 10, 1), "Year 5"),
    (date(2017, 9, 1), date(2026, 10, 1), "Year 4"),
    (date(2016, 9, 1), date(2026, 8, 31), "Year 4"),  # 31 August is still the school year before
    (date(2016, 9, 1), date(2026, 9, 1), "Year 5"),  # 1 September starts the new one
    (date(2021, 12, 25), date(2026, 10, 1), "Reception"),
    (date(2022, 9, 1), date(2026, 10, 1), "Below reception"),
    (date(2010, 9, 1), date(2026, 10, 1), "Year 11"),
    (date(2010, 8, 31), date(2026, 10, 1), "Year 12 or above"),
    (date(2016, 2, 29), date(2026, 10, 1), "Year 6"),  # a leap-day birthday: 10 on 31 August 2026
    (None, date(2026, 10, 1), "Not known"),
])
def test_year_group_is_the_age_on_31_august_before_the_census_less_4(born, census_date, expected):
    assert year_group(born, census_date) == expected


def test_the_first_day_of_september_child_and_the_last_day_of_august_child_are_a_year_apart():
    assert year_group(date(2015, 9, 1), CENSUS) == "Year 6"
    assert year_group(date(2015, 8, 31), CENSUS) == "Year 7"


@pytest.mark.parametrize(("first", "expected"), [
    (date(2026, 10, 1), "Up to 4 weeks"),
    (date(2026, 9, 3), "Up to 4 weeks"),  # 28 days: 4 weeks exactly
    (date(2026, 9, 2), "Over 4 weeks, up to 12 weeks"),
    (date(2026, 7, 9), "Over 4 weeks, up to 12 weeks"),  # 84 days: 12 weeks, the national figures' edge
    (date(2026, 7, 8), "Over 12 weeks, up to 26 weeks"),
    (date(2026, 4, 2), "Over 12 weeks, up to 26 weeks"),  # 182 days
    (date(2026, 4, 1), "Over 26 weeks, up to 52 weeks"),
    (date(2025, 10, 2), "Over 26 weeks, up to 52 weeks"),  # 364 days
    (date(2025, 10, 1), "Over 52 weeks"),
])
def test_length_of_time_missing_in_calendar_weeks_since_day_1(first, expected):
    assert length_band(first, CENSUS) == expected


def test_the_summer_holiday_counts_towards_time_missing():
    """Calendar weeks: a child missing since the summer term is not shortened by the holiday."""
    assert length_band(date(2026, 7, 1), CENSUS) == "Over 12 weeks, up to 26 weeks"


def test_primary_reason():
    assert primary_reason("awaiting_school_place") == AWAITING_OUTCOME
    assert primary_reason("unknown") == "Not known"
    assert primary_reason("") == "Not known"
    assert primary_reason("moved_no_school") == "Moved address without a new school"
    assert primary_reason("something_new") == "something_new"  # never dropped


def child(**fields) -> CensusChild:
    return CensusChild(**{"sex": "female", "date_of_birth": date(2016, 3, 14), "first_day_absent": date(2026, 9, 14),
                          "reason": "moved_no_school", "on_roll": False, **fields})


def test_counts_by_each_measure_and_who_is_not_counted():
    children = [
        child(),
        child(sex="male", date_of_birth=date(2012, 1, 5), first_day_absent=date(2026, 5, 1),
              reason="awaiting_school_place"),
        child(sex="not_known", date_of_birth=None, reason=""),  # no date of birth: counted, year not known
        child(on_roll=True),  # still on a school's roll: not in the DfE's count
        child(date_of_birth=date(2008, 6, 1)),  # 18: outside compulsory school age
        child(date_of_birth=date(2022, 1, 1)),  # 4: not yet of compulsory school age
    ]
    result = counts(children, CENSUS)
    assert result.counted == 3
    assert result.on_roll == 1 and result.outside_school_age == 2
    measures = dict(result.measures())
    assert measures["Sex"] == [("Female", 1), ("Male", 1), ("Not known", 1)]
    years = dict(measures["Year group"])
    assert years["Year 6"] == 1 and years["Year 10"] == 1 and years["Not known"] == 1 and sum(years.values()) == 3
    assert dict(measures["Length of time missing"]) == {
        "Up to 4 weeks": 2, "Over 4 weeks, up to 12 weeks": 0, "Over 12 weeks, up to 26 weeks": 1,
        "Over 26 weeks, up to 52 weeks": 0, "Over 52 weeks": 0}
    assert measures["Primary reason"] == [("Moved address without a new school", 1), ("Not known", 1),
                                          (AWAITING_OUTCOME, 1)]  # most first, then by name


def test_a_sex_not_stored_counts_as_not_known():
    assert counts([child(sex="")], CENSUS).by_sex == {"Not known": 1}


def test_no_children_gives_zeros_in_every_category():
    result = counts([], CENSUS)
    assert result.counted == 0
    assert all(n == 0 for _, categories in result.measures() for _, n in categories)


def test_the_lines_carry_every_category_and_the_children_not_counted():
    rows = census_rows("Example Borough Council", counts([child(), child(on_roll=True)], CENSUS))
    assert rows[0] == ("Example Borough Council", CENSUS, "Total", "Children missing education", 1)
    assert ("Example Borough Council", CENSUS, "Sex", "Female", 1) in rows
    assert ("Example Borough Council", CENSUS, "Year group", "Year 6", 1) in rows
    assert ("Example Borough Council", CENSUS, "Year group", "Year 7", 0) in rows, "zeros too"
    assert rows[-2][2:] == ("Not counted", "On a school's roll (enquiries under way)", 1)
    assert len(rows) == 1 + 3 + 13 + 5 + 1 + 2


@pytest.mark.parametrize(("typed", "problem"), [
    ("yesterday", "That is not a date: give the census date as YYYY-MM-DD"),
    ("2026-13-01", "That is not a date"),
    ("2026-12-05", "The census date cannot be after today, 4 December 2026"),
])
def test_a_bad_census_date_is_refused_in_words(typed, problem):
    with pytest.raises(ValueError, match=problem):
        parse_census_date(typed, date(2026, 12, 4))


def test_a_census_date_is_read():
    assert parse_census_date(" 2026-10-01 ", date(2026, 12, 4)) == CENSUS


def test_staff_correct_the_sex_with_its_history_entry():
    case = Case("CME-2026-0001", 1, State.ENQUIRIES, Pupil("Ada", "Example", date(2015, 3, 14)), date(2026, 11, 2),
                date(2026, 11, 2))
    change = correct(case, "sex", " female ", "Not asked at the report", date(2026, 11, 16))
    assert change.case.sex == "female" and change.case.pupil == case.pupil
    assert change.event == "corrected" and change.data == {"field": "sex", "from": "not_known", "to": "female",
                                                           "reason": "Not asked at the report"}
    assert correct(change.case, "sex", "Not known", "Recorded in error", date(2026, 11, 16)).case.sex == "not_known"
    with pytest.raises(ProcedureError, match="Give the sex as Female, Male or Not known."):
        correct(case, "sex", "F", "typo", date(2026, 11, 16))
    with pytest.raises(ProcedureError, match="Nothing was changed: that is the sex already recorded."):
        correct(change.case, "sex", "Female", "again", date(2026, 11, 16))
