"""Checking a report of a missing pupil and an agency referral: each problem said in plain words."""

from __future__ import annotations

from datetime import date

import pytest

from cme.report import (
    check_fields,
    check_referral,
    check_report,
    date_problem,
    day_one_problem,
    field_problem,
    normalise_postcode,
    phone_problem,
    postcode_problem,
)
from tests.unit.builders import CALENDAR, DAY_1, DAY_21

TODAY = DAY_21

REPORT = {
    "school_id": "1", "forename": " Testy ", "surname": "McTestface", "date_of_birth": "2015-03-14", "sex": "female",
    "upn": "c801 2001 02001", "year_group": "Year 6", "address": "1 Nowhere Lane, Fictionville",
    "postcode": "zz99zz", "carer1_name": "Parent McTestface", "carer1_phone": "07700 900123",
    "carer2_name": "", "carer2_phone": "", "first_day_absent": "2026-11-02", "last_day_attended": "2026-10-23",
    "known_so_far": "Family may have moved", "reason": "", "risk_groups": "runaways,young_carers",
    "risk_cp_plan": "no", "risk_looked_after": "no", "risk_harm": "no",
}

REFERRAL = {
    "forename": "Testy", "surname": "McTestface", "date_of_birth": "", "address": "", "postcode": "",
    "known_so_far": "Seen at the station on school days", "agency": "police",
    "referrer_name": "PC Imaginary (fictional)", "referrer_phone": "0151 496 0000", "referrer_email": "",
}


def report_with(**changes) -> dict:
    return REPORT | changes


def errors_of(**changes) -> dict[str, str]:
    checked = check_report(report_with(**changes), CALENDAR, TODAY)
    assert not checked.ok
    return checked.errors


# A report

def test_a_complete_report_becomes_a_case_to_open():
    checked = check_report(REPORT, CALENDAR, TODAY)
    assert checked.ok and checked.errors == {} and checked.warnings == {}
    report = checked.report
    assert report.school_id == 1
    assert report.pupil.full_name == "Testy McTestface"
    assert report.pupil.date_of_birth == date(2015, 3, 14)
    assert report.pupil.upn == "C801200102001"
    assert report.pupil.postcode == "ZZ9 9ZZ"
    assert [(c.name, c.phone) for c in report.pupil.carers] == [("Parent McTestface", "07700 900123")]
    assert report.first_day_absent == DAY_1 and report.last_day_attended == date(2026, 10, 23)
    assert report.reason == "unknown"
    assert report.risk_groups == ("runaways", "young_carers")
    assert not report.risk.at_risk


def test_a_yes_to_any_risk_question_makes_the_child_at_risk():
    report = check_report(report_with(risk_looked_after="yes", reason="moved_no_school"), CALENDAR, TODAY).report
    assert report.risk.looked_after and report.risk.at_risk and not report.risk.child_protection_plan
    assert report.reason == "moved_no_school"


def test_a_second_carer_is_kept_when_named():
    report = check_report(report_with(carer2_name="Guardian McTestface", carer2_phone="+44 7700 900456"),
                          CALENDAR, TODAY).report
    assert [c.name for c in report.pupil.carers] == ["Parent McTestface", "Guardian McTestface"]


def test_an_empty_report_asks_for_every_required_field():
    checked = check_report({}, CALENDAR, TODAY)
    assert not checked.ok
    assert checked.errors == {
        "school_id": "Choose the school.",
        "forename": "Enter the pupil's forename.", "surname": "Enter the pupil's surname.",
        "date_of_birth": "Enter the date of birth.", "year_group": "Choose the year group.",
        "sex": "Choose the pupil's sex: Female, Male, or Not known.",
        "address": "Enter the home address.", "postcode": "Enter the postcode.",
        "carer1_name": "Enter a parent or carer's name.", "carer1_phone": "Enter their telephone number.",
        "first_day_absent": "Enter the first day of absence.",
        "risk_cp_plan": "Answer yes or no: is the child subject to a child protection plan?",
        "risk_looked_after": "Answer yes or no: is the child looked after?",
        "risk_harm": "Answer yes or no: is there reason to suspect harm or a crime?",
    }


@pytest.mark.parametrize("key, value, message", [
    ("school_id", "Imaginary Academy", "Choose the school."),
    ("year_group", "Year 14", "Choose the year group."),
    ("sex", "F", "Choose the pupil's sex: Female, Male, or Not known."),
    ("postcode", "not a postcode", "Enter a UK postcode, for example L17 7BN."),
    ("carer1_phone", "0770", "Enter a telephone number, for example 07700 900123."),
    ("carer1_phone", "call the aunt", "Enter a telephone number, for example 07700 900123."),
    ("carer1_phone", "0044 7700 900123 456", "Enter a telephone number, for example 07700 900123."),
    ("upn", "A80120010200", "A UPN has 13 characters; this one has 12."),
    ("upn", "A801200102001", "The check letter should be C for these digits"),
    ("reason", "aliens", "Choose a reason from the list, or leave it empty."),
    ("risk_groups", "runaways,pirates", "Choose at-risk groups from the list."),
    ("risk_harm", "maybe", "Answer yes or no: is there reason to suspect harm or a crime?"),
    ("forename", "T" * 101, "Please keep this under 100 characters."),
    ("address", "x" * 301, "Please keep this under 300 characters."),
    ("known_so_far", "x" * 2001, "Please keep this under 2000 characters."),
])
def test_each_wrong_field_is_named_with_what_to_do(key, value, message):
    errors = errors_of(**{key: value})
    assert list(errors) == [key]
    assert errors[key].startswith(message)


def test_a_second_carer_phone_needs_their_name():
    assert errors_of(carer2_phone="07700 900456") == {"carer2_name": "Enter the name of the second parent or carer."}


@pytest.mark.parametrize("key, name", [("date_of_birth", "date of birth"), ("first_day_absent", "first day of absence"),
                                       ("last_day_attended", "last day attended")])
def test_dates_in_the_future_are_refused_saying_which_and_what_today_is(key, name):
    assert errors_of(**{key: "2026-12-01"})[key] == f"The {name} cannot be after today, 30 November 2026."


@pytest.mark.parametrize("key", ["date_of_birth", "first_day_absent", "last_day_attended"])
def test_dates_must_be_dates(key):
    assert errors_of(**{key: "last Tuesday"})[key] == "Enter the date as a date, for example 2026-11-02."


def test_today_is_not_in_the_future():
    assert check_report(report_with(first_day_absent=TODAY.isoformat(), last_day_attended=""), CALENDAR, TODAY).ok


def test_day_1_must_be_a_school_day():
    assert errors_of(first_day_absent="2026-10-27", last_day_attended="2026-10-23") == {"first_day_absent": (
        "Tuesday 27 October 2026 was not a school day (Autumn half term): Day 1 is the first school day the pupil "
        "was missing.")}
    assert "(a weekend)" in errors_of(first_day_absent="2026-11-07")["first_day_absent"]


@pytest.mark.parametrize("last_attended", ["2026-11-04", "2026-11-02"])
def test_day_1_must_come_after_the_last_day_attended(last_attended):
    said = date.fromisoformat(last_attended).strftime("%A %-d %B %Y")
    assert errors_of(last_day_attended=last_attended) == {
        "first_day_absent": f"The first day of absence must come after the last day attended ({said})."}


# School days between the last day attended and Day 1: the reporter says which is right

GAP = {"last_day_attended": "2026-11-02", "first_day_absent": "2026-11-05"}  # Tuesday 3, Wednesday 4 between


def test_school_days_between_the_two_dates_are_a_warning_to_confirm():
    checked = check_report(report_with(**GAP), CALENDAR, TODAY)
    assert not checked.ok and checked.errors == {}
    assert checked.warnings == {"first_day_absent": (
        "2 school days lie between the last day attended and the first day of absence: Tuesday 3 November 2026 "
        "and Wednesday 4 November 2026. If the pupil was missing then too, Day 1 is Tuesday 3 November 2026: "
        "change the first day of absence, or Day 5 and Day 20 will come late. If the pupil was in school or on "
        "authorised absence on those days, tick the confirmation.")}
    confirmed = check_report(report_with(**GAP, confirm_dates="2026-11-02/2026-11-05"), CALENDAR, TODAY)
    assert confirmed.ok and confirmed.report.first_day_absent == date(2026, 11, 5)


def test_a_confirmation_of_other_dates_confirms_nothing():
    stale = report_with(**GAP, confirm_dates="2026-11-02/2026-11-04")
    assert not check_report(stale, CALENDAR, TODAY).ok
    assert not check_report(report_with(**GAP, confirm_dates="true"), CALENDAR, TODAY).ok


@pytest.mark.parametrize("last_attended, first, between", [
    ("2026-11-20", "2026-11-23", None),  # a weekend between
    ("2026-10-23", "2026-11-02", None),  # half term between
    ("2026-11-02", "2026-11-04", "1 school day lies between the last day attended and the first day of absence: "
                                 "Tuesday 3 November 2026."),
    ("2026-10-23", "2026-11-11", "between the last day attended and the first day of absence: Monday 2 November "
                                 "2026 to Tuesday 10 November 2026."),
])
def test_only_school_days_between_are_asked_about(last_attended, first, between):
    checked = check_report(report_with(last_day_attended=last_attended, first_day_absent=first), CALENDAR, TODAY)
    if between is None:
        assert checked.ok and checked.warnings == {}
    else:
        assert between in checked.warnings["first_day_absent"]


def test_some_fields_can_be_checked_alone_as_a_step_of_the_form_does():
    absence = ("first_day_absent", "last_day_attended", "known_so_far", "reason", "risk_groups")
    assert check_fields({"first_day_absent": "2026-11-02"}, absence, CALENDAR, TODAY) == {}
    assert check_fields({"first_day_absent": "2026-11-02", "reason": "aliens"}, absence, CALENDAR, TODAY) == {
        "reason": "Choose a reason from the list, or leave it empty."}
    assert check_fields({}, absence, CALENDAR, TODAY) == {"first_day_absent": "Enter the first day of absence."}


def test_one_field_at_a_time():
    assert field_problem(REPORT, "postcode", CALENDAR, TODAY) is None
    assert field_problem(REPORT, "upn", CALENDAR, TODAY) is None
    assert field_problem(REPORT | {"upn": ""}, "upn", CALENDAR, TODAY) is None  # optional
    assert field_problem(REPORT | {"carer2_phone": "07700 900456"}, "carer2_name", CALENDAR, TODAY) == \
        "Enter the name of the second parent or carer."


def test_the_rules_for_one_kind_of_value():
    assert date_problem("2026-11-30", TODAY) is None
    assert date_problem("2026-12-01", TODAY) == "This date cannot be after today, 30 November 2026."
    assert date_problem("30/11/2026", TODAY) == "Enter the date as a date, for example 2026-11-02."
    assert postcode_problem("zz9 9zz") is None and postcode_problem("ZZ9") is not None
    assert phone_problem("+44 (0)151 496 0000") is None and phone_problem("0151-496-0000") is None
    assert phone_problem("ext. 1234") == "Enter a telephone number, for example 07700 900123."
    assert phone_problem("0151 49600") is not None and phone_problem("0151 496000") is None  # 9 and 10 digits
    assert phone_problem("+44 (0)7700 900123") is None and phone_problem("+44 (0)7700 9001234") is not None  # 13, 14
    assert day_one_problem(DAY_1, date(2026, 10, 23), CALENDAR) is None
    assert day_one_problem(date(2026, 12, 25), None, CALENDAR) == (
        "Friday 25 December 2026 was not a school day (a bank holiday (Christmas Day)): Day 1 is the first school "
        "day the pupil was missing.")


# Date of birth warnings: outside compulsory school age, the reporter confirms the date

@pytest.mark.parametrize("born, age", [("2022-01-10", 4), ("2021-11-02", 5), ("2009-06-01", 17)])
def test_a_pupil_outside_school_age_is_a_warning_to_confirm(born, age):
    checked = check_report(report_with(date_of_birth=born), CALENDAR, TODAY)
    assert not checked.ok and checked.errors == {}
    assert checked.warnings["date_of_birth"] == (
        f"The pupil would be {age} on the first day of absence, outside compulsory school age (from the term "
        "after their fifth birthday to the last Friday of June of the school year they turn 16). "
        "Tick the confirmation if the date is right.")
    confirmed = check_report(report_with(date_of_birth=born, confirm_dob="true"), CALENDAR, TODAY)
    assert confirmed.ok and "date_of_birth" in confirmed.warnings


@pytest.mark.parametrize("born", ["2021-08-01", "2011-06-01"])
def test_pupils_of_compulsory_school_age_on_day_1_need_no_confirmation(born):
    checked = check_report(report_with(date_of_birth=born), CALENDAR, TODAY)
    assert checked.ok and checked.warnings == {}


def test_a_wrong_date_of_birth_is_an_error_not_a_warning():
    checked = check_report(report_with(date_of_birth="2027-01-01"), CALENDAR, TODAY)
    assert checked.errors == {"date_of_birth": "The date of birth cannot be after today, 30 November 2026."}
    assert checked.warnings == {}


def test_a_year_11_pupil_who_is_16_is_of_compulsory_school_age():
    checked = check_report(report_with(date_of_birth="2010-09-15", year_group="Year 11"), CALENDAR, TODAY)
    assert checked.ok and checked.warnings == {}


# Postcodes

@pytest.mark.parametrize("typed, kept", [
    ("zz99zz", "ZZ9 9ZZ"), (" l17  7bn ", "L17 7BN"), ("sw1a1aa", "SW1A 1AA"), ("gir0aa", "GIR 0AA"),
    ("M1 1AE", "M1 1AE"), ("", ""),
])
def test_postcodes_are_kept_in_capitals_with_one_space(typed, kept):
    assert normalise_postcode(typed) == kept


# An agency referral

def test_a_referral_needs_only_what_an_agency_knows():
    referral, errors = check_referral(REFERRAL, TODAY)
    assert errors == {}
    assert referral.pupil.full_name == "Testy McTestface" and referral.pupil.date_of_birth is None
    assert referral.agency == "Police"
    assert referral.referrer_name == "PC Imaginary (fictional)"
    assert referral.referrer_contact == "0151 496 0000"
    assert referral.known_so_far == "Seen at the station on school days"


def test_a_referral_keeps_a_known_date_of_birth_and_postcode_and_both_contacts():
    referral, errors = check_referral(REFERRAL | {"date_of_birth": "2014-05-01", "postcode": "zz99zz",
                                                  "referrer_email": "pc@police.example"}, TODAY)
    assert errors == {}
    assert referral.pupil.date_of_birth == date(2014, 5, 1) and referral.pupil.postcode == "ZZ9 9ZZ"
    assert referral.referrer_contact == "0151 496 0000, pc@police.example"


def test_an_empty_referral_asks_for_the_child_what_is_known_the_agency_and_a_way_back():
    referral, errors = check_referral({}, TODAY)
    assert referral is None
    assert errors == {
        "forename": "Enter the child's forename.", "surname": "Enter the child's surname.",
        "known_so_far": "Say what is known about the child.", "referrer_name": "Enter your name.",
        "agency": "Choose your agency.",
        "referrer_phone": "Give a telephone number or an e-mail address, so the officer can call back.",
    }


@pytest.mark.parametrize("key, value, message", [
    ("date_of_birth", "2026-12-25", "The date of birth cannot be after today, 30 November 2026."),
    ("postcode", "nowhere", "Enter a UK postcode, for example L17 7BN."),
    ("agency", "ministry_of_magic", "Choose your agency."),
    ("referrer_phone", "999", "Enter a telephone number, for example 07700 900123."),
    ("referrer_email", "pc at police", "Enter an e-mail address, for example name@police.example."),
    ("known_so_far", "x" * 2001, "Please keep this under 2000 characters."),
])
def test_each_wrong_referral_field_is_named(key, value, message):
    referral, errors = check_referral(REFERRAL | {key: value}, TODAY)
    assert referral is None and errors == {key: message}


def test_an_e_mail_alone_is_a_way_back():
    referral, errors = check_referral(REFERRAL | {"referrer_phone": "", "referrer_email": "pc@police.example"},
                                      TODAY)
    assert errors == {} and referral.referrer_contact == "pc@police.example"


def test_typed_values_are_read_without_the_spaces_around_them():
    referral, errors = check_referral(REFERRAL | {"date_of_birth": " 2015-03-14 ", "postcode": " zz99zz "}, TODAY)
    assert errors == {} and referral.pupil.date_of_birth == date(2015, 3, 14) and referral.pupil.postcode == "ZZ9 9ZZ"
    checked = check_report(REPORT | {"date_of_birth": " 2015-03-14 ", "school_id": " 1 ", "risk_harm": " no "}, CALENDAR,
                           TODAY)
    assert checked.ok and checked.report.pupil.date_of_birth == date(2015, 3, 14) and checked.report.school_id == 1
    assert checked.report.pupil.forename == "Testy" and not checked.report.risk.suspected_harm_or_crime
