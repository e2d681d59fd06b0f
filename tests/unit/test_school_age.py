"""Compulsory school age: from the prescribed day on or after the fifth birthday to the last Friday of
June of the school year the child turns 16 (Education Act 1996, section 8)."""

from datetime import date

import pytest

from cme.school_age import begins, ends, of_compulsory_school_age


@pytest.mark.parametrize("born, first_day", [
    (date(2021, 9, 15), date(2026, 12, 31)),  # five in September: from 31 December
    (date(2021, 1, 10), date(2026, 3, 31)),   # five in January: from 31 March
    (date(2021, 5, 2), date(2026, 8, 31)),    # five in May: from 31 August
    (date(2021, 8, 31), date(2026, 8, 31)),   # five on a prescribed day: that day
    (date(2020, 2, 29), date(2025, 3, 31)),   # a leap-day child is five on 1 March
])
def test_compulsory_school_age_begins_on_the_prescribed_day_after_the_fifth_birthday(born, first_day):
    assert begins(born) == first_day


@pytest.mark.parametrize("born, last_day", [
    (date(2010, 9, 15), date(2027, 6, 25)),   # sixteen in September 2026: Year 11 ends June 2027
    (date(2011, 8, 31), date(2027, 6, 25)),   # sixteen on 31 August 2027, the youngest of that year
    (date(2011, 3, 1), date(2027, 6, 25)),
    (date(2009, 6, 28), date(2025, 6, 27)),   # sixteen after the last Friday of June: still that June
])
def test_compulsory_school_age_ends_on_the_last_friday_of_june_of_the_year_they_turn_16(born, last_day):
    assert ends(born) == last_day and last_day.weekday() == 4


def test_a_year_11_pupil_who_turned_16_in_september_is_of_compulsory_school_age_until_june():
    born = date(2010, 9, 15)
    assert of_compulsory_school_age(born, date(2026, 11, 11))
    assert of_compulsory_school_age(born, date(2027, 6, 25))
    assert not of_compulsory_school_age(born, date(2027, 6, 28))


def test_a_four_year_old_in_reception_is_not_yet_of_compulsory_school_age():
    assert not of_compulsory_school_age(date(2022, 1, 20), date(2026, 11, 11))
