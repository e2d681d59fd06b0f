"""Checking a report of a missing pupil, and an agency referral, field by field in plain words."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from cme.at_risk import AT_RISK_GROUPS, MISSING_REASONS
from cme.calendar import SchoolCalendar
from cme.case import Carer, Pupil, Risk
from cme.upn import normalise_upn, upn_problem

STEPS: tuple[tuple[str, ...], ...] = (
    ("school_id", "forename", "surname", "date_of_birth", "upn", "year_group", "address", "postcode",
     "carer1_name", "carer1_phone", "carer2_name", "carer2_phone"),
    ("first_day_absent", "last_day_attended", "known_so_far", "reason", "risk_groups"),
    ("risk_cp_plan", "risk_looked_after", "risk_harm", "confirm_dob"),
)
FIELDS = tuple(key for step in STEPS for key in step)
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
REQUIRED = {"forename": "Enter the pupil's forename.", "surname": "Enter the pupil's surname.",
            "date_of_birth": "Enter the date of birth.", "year_group": "Choose the year group.",
            "address": "Enter the home address.", "postcode": "Enter the postcode.",
            "carer1_name": "Enter a parent or carer's name.", "carer1_phone": "Enter their telephone number.",
            "first_day_absent": "Enter the first day of absence."}


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


def _date(values: dict, key: str, errors: dict, today: date) -> date | None:
    raw = _text(values, key)
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        errors[key] = "Enter the date as a date, for example 2026-11-02."
        return None
    if day > today:
        errors[key] = "This date cannot be in the future."
        return None
    return day


def normalise_postcode(text: str) -> str:
    compact = "".join(text.split()).upper()
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


def _postcode(values: dict, key: str, errors: dict) -> str:
    postcode = normalise_postcode(_text(values, key))
    if postcode and not POSTCODE.match(postcode):
        errors[key] = "Enter a UK postcode, for example L17 7BN."
    return postcode


def _phone(values: dict, key: str, errors: dict) -> str:
    phone = _text(values, key)
    digits = sum(c.isdigit() for c in phone)
    if phone and (not PHONE.match(phone) or not 10 <= digits <= 13):
        errors[key] = "Enter a telephone number, for example 07700 900123."
    return phone


def _lengths(values: dict, keys: tuple[str, ...], errors: dict) -> None:
    for key in keys:
        limit = LIMITS.get(key)
        if limit and len(_text(values, key)) > limit:
            errors[key] = f"Please keep this under {limit} characters."


def _age_on(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def check_step(values: dict, step: int, calendar: SchoolCalendar, today: date) -> dict[str, str]:
    """The errors among one step's fields, so the form can stop the user on the step with the problem."""
    errors: dict[str, str] = {}
    keys = STEPS[step - 1]
    for key in keys:
        if key in REQUIRED and not _text(values, key):
            errors[key] = REQUIRED[key]
    _lengths(values, keys, errors)
    if step == 1:
        if not _text(values, "school_id").isdigit():
            errors["school_id"] = "Choose the school."
        _date(values, "date_of_birth", errors, today)
        upn = _text(values, "upn")
        if upn and (problem := upn_problem(upn)):
            errors["upn"] = problem
        if _text(values, "year_group") and _text(values, "year_group") not in YEAR_GROUPS:
            errors["year_group"] = "Choose the year group."
        if _text(values, "postcode"):
            _postcode(values, "postcode", errors)
        for key in ("carer1_phone", "carer2_phone"):
            _phone(values, key, errors)
        if _text(values, "carer2_phone") and not _text(values, "carer2_name"):
            errors["carer2_name"] = "Enter the name of the second parent or carer."
    elif step == 2:
        first = _date(values, "first_day_absent", errors, today)
        last = _date(values, "last_day_attended", errors, today)
        if first and not calendar.is_school_day(first):
            errors["first_day_absent"] = (
                f"{first:%A %-d %B %Y} was not a school day ({calendar.closure_on(first)}): Day 1 is the first "
                "school day the pupil was missing.")
        elif first and last and first < last:
            errors["first_day_absent"] = (f"The first day of absence cannot be before the last day attended "
                                          f"({last:%-d %B %Y}).")
        reason = _text(values, "reason")
        if reason and reason not in dict(MISSING_REASONS):
            errors["reason"] = "Choose a reason from the list, or leave it empty."
        groups = [g for g in _text(values, "risk_groups").split(",") if g]
        if any(g not in dict(AT_RISK_GROUPS) for g in groups):
            errors["risk_groups"] = "Choose at-risk groups from the list."
    else:
        for key, question in RISK_QUESTIONS.items():
            if _text(values, key) not in ("yes", "no"):
                errors[key] = f"Answer yes or no: {question}"
    return errors


def _dob_warning(values: dict, today: date) -> str | None:
    try:
        born = date.fromisoformat(_text(values, "date_of_birth"))
        on = date.fromisoformat(_text(values, "first_day_absent"))
    except ValueError:
        return None
    age = _age_on(born, on)
    if 5 <= age <= 15:
        return None
    return (f"The pupil would be {age} on the first day of absence, outside compulsory school age (5 to 16). "
            "Tick the confirmation if the date is right.")


def check_report(values: dict, calendar: SchoolCalendar, today: date) -> Checked:
    errors: dict[str, str] = {}
    for step in (1, 2, 3):
        errors |= check_step(values, step, calendar, today)
    warnings = {}
    if "date_of_birth" not in errors and (warning := _dob_warning(values, today)):
        warnings["date_of_birth"] = warning
    if errors or (warnings and _text(values, "confirm_dob") != "true"):
        return Checked(None, errors, warnings)
    carers = [Carer(_text(values, f"carer{n}_name"), _text(values, f"carer{n}_phone")) for n in (1, 2)
              if _text(values, f"carer{n}_name")]
    upn = _text(values, "upn")
    pupil = Pupil(
        forename=_text(values, "forename"), surname=_text(values, "surname"),
        date_of_birth=date.fromisoformat(_text(values, "date_of_birth")), upn=normalise_upn(upn) if upn else "",
        year_group=_text(values, "year_group"), address=_text(values, "address"),
        postcode=normalise_postcode(_text(values, "postcode")), carers=tuple(carers))
    last = _text(values, "last_day_attended")
    report = Report(
        pupil=pupil, school_id=int(_text(values, "school_id")),
        first_day_absent=date.fromisoformat(_text(values, "first_day_absent")),
        last_day_attended=date.fromisoformat(last) if last else None,
        known_so_far=_text(values, "known_so_far"), reason=_text(values, "reason") or "unknown",
        risk_groups=tuple(g for g in _text(values, "risk_groups").split(",") if g),
        risk=Risk(child_protection_plan=values.get("risk_cp_plan") == "yes",
                  looked_after=values.get("risk_looked_after") == "yes",
                  suspected_harm_or_crime=values.get("risk_harm") == "yes"))
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
