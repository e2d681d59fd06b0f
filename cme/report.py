"""Checking a report of a missing pupil, and an agency referral, field by field in plain words."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from cme.at_risk import AT_RISK_GROUPS, MISSING_REASONS
from cme.calendar import SchoolCalendar
from cme.case import Carer, Pupil, Risk
from cme.census import SEXES
from cme.school_age import of_compulsory_school_age
from cme.upn import normalise_upn, upn_problem

FIELDS = ("school_id", "forename", "surname", "date_of_birth", "sex", "upn", "year_group", "address", "postcode",
          "carer1_name", "carer1_phone", "carer2_name", "carer2_phone", "first_day_absent", "last_day_attended",
          "known_so_far", "reason", "risk_groups", "confirm_dates", "risk_cp_plan", "risk_looked_after", "risk_harm",
          "confirm_dob")
YEAR_GROUPS = ("Reception", *(f"Year {n}" for n in range(1, 12)), "Not known")
RISK_QUESTIONS = {
    "risk_cp_plan": "is the child subject to a child protection plan?",
    "risk_looked_after": "is the child looked after?",
    "risk_harm": "is there reason to suspect harm or a crime?",
}
AGENCIES = (("police", "Police"), ("health", "Health"), ("social_care", "Children's social care"),
            ("housing", "Housing"), ("other", "Other"))
REFERRAL_FIELDS = ("forename", "surname", "date_of_birth", "address", "postcode", "known_so_far", "agency",
                   "referrer_name", "referrer_phone", "referrer_email")

POSTCODE = re.compile(r"^(GIR ?0AA|[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2})$")
PHONE = re.compile(r"^[0-9 +()\-]+$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
LIMITS = {"forename": 100, "surname": 100, "carer1_name": 100, "carer2_name": 100, "address": 300,
          "known_so_far": 2000, "referrer_name": 100}
REQUIRED = {"school_id": "Choose the school.",
            "forename": "Enter the pupil's forename.", "surname": "Enter the pupil's surname.",
            "date_of_birth": "Enter the date of birth.", "year_group": "Choose the year group.",
            "sex": "Choose the pupil's sex: Female, Male, or Not known.",
            "address": "Enter the home address.", "postcode": "Enter the postcode.",
            "carer1_name": "Enter a parent or carer's name.", "carer1_phone": "Enter their telephone number.",
            "first_day_absent": "Enter the first day of absence.",
            **{key: f"Answer yes or no: {question}" for key, question in RISK_QUESTIONS.items()}}
DATES = {"date_of_birth": "date of birth", "first_day_absent": "first day of absence",
         "last_day_attended": "last day attended"}
# A warning is about the field it names; the reporter confirms it with another field of the form.
CONFIRMED_BY = {"date_of_birth": "confirm_dob", "first_day_absent": "confirm_dates"}


@dataclass(frozen=True)
class Report:
    pupil: Pupil
    school_id: int
    first_day_absent: date
    last_day_attended: date | None
    known_so_far: str
    reason: str
    risk_groups: tuple[str, ...]
    risk: Risk
    sex: str = "not_known"


@dataclass(frozen=True)
class Checked:
    report: Report | None
    errors: dict[str, str] = field(default_factory=dict)
    warnings: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.report is not None


@dataclass(frozen=True)
class Referral:
    pupil: Pupil
    known_so_far: str
    agency: str
    referrer_name: str
    referrer_contact: str


def _text(values: dict, key: str) -> str:
    return str(values.get(key) or "").strip()


def read(values: dict, keys: Iterable[str] = FIELDS) -> dict[str, str]:
    """Each field as `_text` reads it, read once for all the checks of a report."""
    return {key: str(values.get(key) or "").strip() for key in keys}


def normalise_postcode(text: str) -> str:
    compact = "".join(text.split()).upper()
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


# The rules for one typed value; each says what is wrong with it, or None.

def long_date(day: date, *, weekday: bool = False) -> str:
    """A date as people in England write it, whatever a browser's language: 4 December 2026."""
    return f"{day:%A %-d %B %Y}" if weekday else f"{day:%-d %B %Y}"


def after_today(key: str | None, today: date) -> str:
    """What is wrong with a date after today; the card's own limit says the same."""
    what = f"The {DATES[key]}" if key in DATES else "This date"
    return f"{what} cannot be after today, {long_date(today)}."


def date_problem(text: str, today: date, key: str | None = None) -> str | None:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return "Enter the date as a date, for example 2026-11-02."
    return after_today(key, today) if day > today else None


def postcode_problem(text: str) -> str | None:
    return None if POSTCODE.match(normalise_postcode(text)) else "Enter a UK postcode, for example L17 7BN."


def phone_problem(text: str) -> str | None:
    if PHONE.match(text) and 10 <= sum(map(str.isdigit, text)) <= 13:
        return None
    return "Enter a telephone number, for example 07700 900123."


def length_problem(key: str, text: str) -> str | None:
    limit = LIMITS.get(key)
    return _too_long(limit) if limit and len(text) > limit else None


def _too_long(limit: int) -> str:
    return f"Please keep this under {limit} characters."


def day_one_problem(first: date, last_attended: date | None, calendar: SchoolCalendar) -> str | None:
    """Day 1 is a school day the pupil was missing, after the last day they attended."""
    if not calendar.is_school_day(first):
        return (f"{first:%A %-d %B %Y} was not a school day ({calendar.closure_on(first)}): Day 1 is the first "
                "school day the pupil was missing.")
    if last_attended and first <= last_attended:
        return (f"The first day of absence must come after the last day attended "
                f"({long_date(last_attended, weekday=True)}).")
    return None


def _between(days: list[date]) -> str:
    names = [long_date(day, weekday=True) for day in days]
    if len(names) > 3:
        return f"{names[0]} to {names[-1]}"
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def dates_confirmation(values: dict) -> str:
    """What the reporter's confirmation of these two dates carries: a confirmation of other dates is none."""
    return _confirmation(read(values, ("last_day_attended", "first_day_absent")))


def _confirmation(texts: dict[str, str]) -> str:
    return f"{texts['last_day_attended']}/{texts['first_day_absent']}"


def gap_warning(first: date, last_attended: date | None, calendar: SchoolCalendar) -> str | None:
    """School days between the last day attended and Day 1: either the pupil was in school or on leave on
    them, or Day 1 is earlier than typed and Day 5 and Day 20 would come late. Only the reporter knows."""
    if last_attended is None or first <= last_attended:
        return None
    days = [day for day in calendar.school_days_between(last_attended, first) if last_attended < day < first]
    if not days:
        return None
    count = f"{len(days)} school day{'s' if len(days) > 1 else ''}"
    return (f"{count} lie{'s' if len(days) == 1 else ''} between the last day attended and the first day of "
            f"absence: {_between(days)}. If the pupil was missing then too, Day 1 is "
            f"{long_date(days[0], weekday=True)}: change the first day of absence, or Day 5 and Day 20 will come "
            "late. If the pupil was in school or on authorised absence on those days, tick the confirmation.")


def _groups_problem(text: str) -> str | None:
    groups = [g for g in text.split(",") if g]
    return "Choose at-risk groups from the list." if any(g not in dict(AT_RISK_GROUPS) for g in groups) else None


def _past_date(texts: dict[str, str], key: str, today: date) -> date | None:
    text = texts[key]
    return date.fromisoformat(text) if text and not date_problem(text, today) else None


# What is checked of a field once something is typed in it (an empty one is only checked if REQUIRED).
TEXT_RULES = {
    "school_id": lambda text: None if text.isdigit() else REQUIRED["school_id"],
    "upn": upn_problem,
    "year_group": lambda text: None if text in YEAR_GROUPS else REQUIRED["year_group"],
    "sex": lambda text: None if text in dict(SEXES) else REQUIRED["sex"],
    "postcode": postcode_problem,
    "carer1_phone": phone_problem,
    "carer2_phone": phone_problem,
    "reason": lambda text: None if text in dict(MISSING_REASONS) else "Choose a reason from the list, or leave it empty.",
    "risk_groups": _groups_problem,
    **{key: lambda text, key=key: None if text in ("yes", "no") else REQUIRED[key] for key in RISK_QUESTIONS},
    **{key: lambda text, limit=limit: _too_long(limit) if len(text) > limit else None
       for key, limit in LIMITS.items()},
}


def _field_problem(texts: dict[str, str], key: str, calendar: SchoolCalendar, today: date) -> str | None:
    if not (text := texts[key]):
        if key == "carer2_name" and texts["carer2_phone"]:
            return "Enter the name of the second parent or carer."
        return REQUIRED.get(key)
    if key in ("date_of_birth", "last_day_attended"):
        return date_problem(text, today, key)
    if key == "first_day_absent":
        return date_problem(text, today, key) or day_one_problem(
            date.fromisoformat(text), _past_date(texts, "last_day_attended", today), calendar)
    rule = TEXT_RULES.get(key)
    return rule(text) if rule else None


def field_problem(values: dict, key: str, calendar: SchoolCalendar, today: date) -> str | None:
    """What is wrong with one field of a report, in words for whoever typed it; None if nothing."""
    return _field_problem(read(values, (*FIELDS, key)), key, calendar, today)


def _problems(texts: dict[str, str], keys: Iterable[str], calendar: SchoolCalendar, today: date) -> dict[str, str]:
    return {key: problem for key in keys if (problem := _field_problem(texts, key, calendar, today))}


def check_fields(values: dict, keys: tuple[str, ...], calendar: SchoolCalendar, today: date) -> dict[str, str]:
    """The problems among some fields of a report (a step of the form, or all of them), by field."""
    return _problems(read(values, (*FIELDS, *keys)), keys, calendar, today)


def _date(values: dict, key: str, errors: dict, today: date) -> date | None:
    text = _text(values, key)
    if text and (problem := date_problem(text, today, key)):
        errors[key] = problem
    return _past_date({key: text}, key, today)


def _postcode(values: dict, key: str, errors: dict) -> str:
    postcode = normalise_postcode(_text(values, key))
    if postcode and (problem := postcode_problem(postcode)):
        errors[key] = problem
    return postcode


def _phone(values: dict, key: str, errors: dict) -> str:
    phone = _text(values, key)
    if phone and (problem := phone_problem(phone)):
        errors[key] = problem
    return phone


def _lengths(values: dict, keys: tuple[str, ...], errors: dict) -> None:
    for key in keys:
        if problem := length_problem(key, _text(values, key)):
            errors[key] = problem


def _age_on(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _dob_warning(texts: dict[str, str]) -> str | None:
    try:
        born = date.fromisoformat(texts["date_of_birth"])
        on = date.fromisoformat(texts["first_day_absent"])
    except ValueError:
        return None
    if of_compulsory_school_age(born, on):
        return None
    return (f"The pupil would be {_age_on(born, on)} on the first day of absence, outside compulsory school age "
            "(from the term after their fifth birthday to the last Friday of June of the school year they turn 16). "
            "Tick the confirmation if the date is right.")


def check_warnings(values: dict, errors: dict, calendar: SchoolCalendar, today: date) -> dict[str, str]:
    """What may be right but must be confirmed, by field, among fields free of errors."""
    return _warnings(read(values), errors, calendar, today)


def _warnings(texts: dict[str, str], errors: dict, calendar: SchoolCalendar, today: date) -> dict[str, str]:
    warnings = {}
    if "date_of_birth" not in errors and (warning := _dob_warning(texts)):
        warnings["date_of_birth"] = warning
    first = _past_date(texts, "first_day_absent", today)
    if first and not {"first_day_absent", "last_day_attended"} & set(errors) and (
            warning := gap_warning(first, _past_date(texts, "last_day_attended", today), calendar)):
        warnings["first_day_absent"] = warning
    return warnings


def unconfirmed(values: dict, warnings: dict) -> list[str]:
    """The confirmation fields still to tick for these warnings."""
    return _unconfirmed(read(values), warnings)


def _unconfirmed(texts: dict[str, str], warnings: dict) -> list[str]:
    expected = {"confirm_dob": "true", "confirm_dates": _confirmation(texts)}
    return [CONFIRMED_BY[key] for key in warnings if texts[CONFIRMED_BY[key]] != expected[CONFIRMED_BY[key]]]


def check_report(values: dict, calendar: SchoolCalendar, today: date) -> Checked:
    texts = read(values)
    errors = _problems(texts, FIELDS, calendar, today)
    warnings = _warnings(texts, errors, calendar, today)
    if errors or _unconfirmed(texts, warnings):
        return Checked(None, errors, warnings)
    carers = [Carer(texts[f"carer{n}_name"], texts[f"carer{n}_phone"]) for n in (1, 2) if texts[f"carer{n}_name"]]
    upn = texts["upn"]
    pupil = Pupil(
        forename=texts["forename"], surname=texts["surname"],
        date_of_birth=date.fromisoformat(texts["date_of_birth"]), upn=normalise_upn(upn) if upn else "",
        year_group=texts["year_group"], address=texts["address"],
        postcode=normalise_postcode(texts["postcode"]), carers=tuple(carers))
    last = texts["last_day_attended"]
    report = Report(
        pupil=pupil, school_id=int(texts["school_id"]),
        first_day_absent=date.fromisoformat(texts["first_day_absent"]),
        last_day_attended=date.fromisoformat(last) if last else None,
        known_so_far=texts["known_so_far"], reason=texts["reason"] or "unknown",
        risk_groups=tuple(g for g in texts["risk_groups"].split(",") if g),
        risk=Risk(child_protection_plan=values.get("risk_cp_plan") == "yes",
                  looked_after=values.get("risk_looked_after") == "yes",
                  suspected_harm_or_crime=values.get("risk_harm") == "yes"),
        sex=texts["sex"])
    return Checked(report, {}, warnings)


def check_referral(values: dict, today: date) -> tuple[Referral | None, dict[str, str]]:
    errors: dict[str, str] = {}
    for key, message in (("forename", "Enter the child's forename."), ("surname", "Enter the child's surname."),
                         ("known_so_far", "Say what is known about the child."),
                         ("referrer_name", "Enter your name.")):
        if not _text(values, key):
            errors[key] = message
    _lengths(values, REFERRAL_FIELDS, errors)
    born = _date(values, "date_of_birth", errors, today)
    postcode = _postcode(values, "postcode", errors)
    if _text(values, "agency") not in dict(AGENCIES):
        errors["agency"] = "Choose your agency."
    phone = _phone(values, "referrer_phone", errors)
    email = _text(values, "referrer_email")
    if email and not EMAIL.match(email):
        errors["referrer_email"] = "Enter an e-mail address, for example name@police.example."
    if not phone and not email and "referrer_phone" not in errors:
        errors["referrer_phone"] = "Give a telephone number or an e-mail address, so the officer can call back."
    if errors:
        return None, errors
    pupil = Pupil(forename=_text(values, "forename"), surname=_text(values, "surname"), date_of_birth=born,
                  address=_text(values, "address"), postcode=postcode)
    contact = ", ".join(c for c in (phone, email) if c)
    return Referral(pupil, _text(values, "known_so_far"), dict(AGENCIES)[_text(values, "agency")],
                    _text(values, "referrer_name"), contact), {}
