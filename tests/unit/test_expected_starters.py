"""Expected starters' rules: what a card or a CSV row must say, when a non-arrival falls due (school days on the
school's calendar), and the case a non-arrival makes."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from cards.expected_starters import (
    NewPupilReturn,
    NonArrivalView,
    StarterLine,
    StarterList,
    new_pupil_line_card,
    new_pupil_return_card,
    non_arrival_card,
    starter_form_card,
    starters_list_card,
)
from cards.validate import problems
from cme.at_risk import reason_label
from cme.casework import new_case
from cme.expected_starters import (
    Status,
    arrive,
    check_arrival,
    check_starter,
    is_overdue,
    never_started,
    non_arrival_due,
    parse_csv,
    parse_reference,
)
from cme.lifecycle import ProcedureError
from cme.milestones import Milestone
from tests.scenario.connector import card_text
from tests.unit.builders import CALENDAR

TODAY = date(2026, 11, 16)
GOOD = {"forename": "Ada", "surname": "Madeup", "date_of_birth": "2015-03-14", "year_group": "Year 6",
        "first_day": "2026-10-19"}


def _starter(**changes):
    starter, errors = check_starter(GOOD | changes, 1, CALENDAR, TODAY)
    assert errors == {}
    return replace(starter, id=7)


def test_a_good_starter_and_each_problem_in_words():
    starter = _starter(postcode="zz99 1zz", carer_name="Jo Madeup", carer_phone="07700 900111")
    assert starter.pupil.full_name == "Ada Madeup" and starter.pupil.postcode == "ZZ99 1ZZ"
    assert starter.pupil.carers[0].phone == "07700 900111" and starter.reference == "NS-00007"
    _, errors = check_starter({"first_day": "2026-10-24", "date_of_birth": "2030-01-01", "year_group": "Year 13",
                               "postcode": "nope", "carer_phone": "123"}, 1, CALENDAR, TODAY)
    assert errors["forename"] == "Enter the pupil's forename." and "surname" in errors
    assert "not a school day" in errors["first_day"] and "a weekend" in errors["first_day"]
    assert "after today" in errors["date_of_birth"]
    assert "year group" in errors["year_group"] and "postcode" in errors["postcode"]
    assert "telephone" in errors["carer_phone"]
    _, errors = check_starter(GOOD | {"first_day": "2026-10-27"}, 1, CALENDAR, TODAY)
    assert "Autumn half term" in errors["first_day"]
    _, errors = check_starter(GOOD | {"first_day": "2029-09-03"}, 1, CALENDAR, TODAY)
    assert "within about a year" in errors["first_day"]


def test_the_non_arrival_falls_due_after_5_school_days_on_the_school_calendar():
    # Monday 19 October: school days 19-23 October, then half term; the 5 have passed by Monday 2 November.
    starter = _starter()
    assert non_arrival_due(starter, CALENDAR) == date(2026, 11, 2)
    assert not is_overdue(starter, CALENDAR, date(2026, 10, 30))
    assert is_overdue(starter, CALENDAR, date(2026, 11, 2))
    tuesday = _starter(first_day="2026-11-03")
    assert non_arrival_due(tuesday, CALENDAR) == date(2026, 11, 10)
    assert not is_overdue(replace(starter, status=Status.ARRIVED), CALENDAR, TODAY)


def test_a_non_arrival_makes_the_case_the_report_would_from_the_agreed_first_day():
    starter = _starter()
    report = never_started(starter, CALENDAR, TODAY)
    assert report.reason == "never_started" and reason_label(report.reason) == "Never started provision"
    case, due = new_case(report, CALENDAR, TODAY)
    assert case.first_day_absent == case.run_start == date(2026, 10, 19) and case.school_id == 1
    assert due[Milestone.DAY_5] == date(2026, 10, 23) and due[Milestone.DAY_20] == date(2026, 11, 20)
    assert "did not arrive within 5 school days" in case.known_so_far
    with pytest.raises(ProcedureError, match="Monday 2 November 2026"):
        never_started(starter, CALENDAR, date(2026, 10, 30))


def test_arrival_needs_an_address_and_a_school_day_not_in_the_future():
    starter = _starter()
    arrival, errors = check_arrival(starter, {"arrived_on": "2026-11-17", "postcode": "bad"}, CALENDAR, TODAY)
    assert arrival is None and "after today" in errors["arrived_on"] and "address" in errors
    assert "postcode" in errors["postcode"]
    arrival, errors = check_arrival(starter, {"arrived_on": "2026-11-02", "address": "1 Fictional Road",
                                              "previous_school": "Nowhere Nursery"}, CALENDAR, TODAY)
    arrived = arrive(starter, arrival)
    assert arrived.status is Status.ARRIVED and arrived.pupil.address == "1 Fictional Road"
    with pytest.raises(ProcedureError, match="arrived on 2 November 2026"):
        arrive(arrived, arrival)
    with pytest.raises(ProcedureError, match="CME case CME-2026-0001 already"):
        arrive(replace(starter, status=Status.CASE, case_reference="CME-2026-0001"), arrival)


def test_parse_reference():
    assert parse_reference("NS-00012") == 12 and parse_reference(" ns-3 ") == 3
    assert parse_reference("CME-2026-0001") is None and parse_reference("NS-１２") is None


CSV_HEADER = "forename,surname,date_of_birth,year_group,first_day,address,postcode,previous_school\n"


def test_a_csv_is_checked_row_by_row_with_line_numbers():
    good = parse_csv(CSV_HEADER + "Ada,Madeup,2022-05-01,Reception,2026-11-02,,,\n\n"
                                  "Bo,Notreal,2015-01-02,Year 7,2026-11-02,2 Fake St,ZZ99 2ZZ,Pretend Primary\n",
                     1, CALENDAR, TODAY)
    assert good.problems == () and [s.pupil.forename for s in good.starters] == ["Ada", "Bo"]
    bad = parse_csv("\ufeff" + CSV_HEADER + "Ada,Madeup,2022-05-01,Reception,2026-11-02,,,\n"
                    "Bo,,2015-01-02,Year 7,2026-10-31,,,\n"
                    "Ada,Madeup,2022-05-01,Reception,2026-11-02,,,\n"
                    "too,few\n", 1, CALENDAR, TODAY)
    assert bad.problems[0] == "line 3: surname: Enter the pupil's surname."
    assert bad.problems[1].startswith("line 3: first_day: Saturday 31 October 2026 is not a school day")
    assert bad.problems[2] == "line 4: the same pupil and first day as line 2"
    assert bad.problems[3] == "line 5: 2 values for 8 columns"
    assert all("Madeup" not in p and "Bo" not in p for p in bad.problems), "no typed value is repeated"
    assert parse_csv("name,first_day\nx,2026-11-02\n", 1, CALENDAR, TODAY).problems[0].startswith(
        "line 1: unknown column(s) name")
    assert parse_csv("", 1, CALENDAR, TODAY).problems[0].startswith("line 1: the header is missing")
    assert parse_csv(CSV_HEADER, 1, CALENDAR, TODAY).problems == ("the file has a header but no pupils",)


def test_the_cards_validate_and_the_channel_card_names_nobody():
    starter = _starter(address="1 Fictional Road")
    form = starter_form_card("f", GOOD | {"surname": "<b>x</b>"}, {"surname": "Enter the pupil's surname."},
                             [(1, "Oakwood"), (2, "Riverside")], TODAY)
    assert problems(form) == [] and "<b>x</b>" in str(form)
    listed = starters_list_card(StarterList([StarterLine(starter, "Oakwood", date(2026, 11, 2), True)], TODAY))
    assert problems(listed) == [] and "Ada Madeup" in card_text(listed)
    for status in (Status.EXPECTED, Status.ARRIVED, Status.CASE):
        channel = non_arrival_card(NonArrivalView("NS-00007", "Oakwood", starter.first_day, date(2026, 11, 2),
                                                  TODAY, status, "CME-2026-0001", date(2026, 11, 3)))
        assert problems(channel) == [] and "NS-00007" in card_text(channel)
        assert "Madeup" not in str(channel) and "Fictional Road" not in str(channel)
    arrived = replace(starter, status=Status.ARRIVED, arrived_on=date(2026, 11, 3))
    officer = new_pupil_return_card(NewPupilReturn(arrived, "Oakwood", "Sam Staff"))
    assert problems(officer) == [] and "Ada Madeup" in card_text(officer) and "regulation 13" in card_text(officer)
    line = new_pupil_line_card("NS-00007", "Oakwood", date(2026, 11, 3))
    assert problems(line) == [] and "Madeup" not in str(line)
