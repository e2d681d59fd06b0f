"""Expected starters: a pupil a school has agreed will join on a first day (policy section 6).

On arrival the school makes the new pupil return to the local authority (regulation 13 of the 2024 regulations:
within five days of adding the name to the admission register, with the pupil's address and previous school). A
pupil who has not arrived when 5 school days have passed since the agreed first day, counted on the school's own
calendar, becomes a CME case with the reason "never started provision", its Day 1 the agreed first day.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from cme.calendar import CalendarError, SchoolCalendar
from cme.case import Carer, Pupil, Risk
from cme.law import REGULATIONS
from cme.lifecycle import ProcedureError
from cme.report import YEAR_GROUPS, Report, long_date, normalise_postcode, phone_problem, postcode_problem

NEW_PUPIL_RETURN = f"regulation 13 of {REGULATIONS}"
NON_ARRIVAL_DAYS = 5  # school days from the agreed first day (Day 1) without arriving: then a CME case
NEVER_STARTED = "never_started"  # cme/at_risk.py MISSING_REASONS: "Never started provision"
# A first day this far from today is a typing mistake (a year typed wrong), not a plan.
FURTHEST = 400

FIELDS = ("forename", "surname", "date_of_birth", "year_group", "first_day", "address", "postcode",
          "previous_school", "carer_name", "carer_phone")
REQUIRED = {"forename": "Enter the pupil's forename.", "surname": "Enter the pupil's surname.",
            "date_of_birth": "Enter the date of birth.", "year_group": "Choose the year group.",
            "first_day": "Enter the agreed first day."}
LIMITS = {"forename": 100, "surname": 100, "address": 300, "postcode": 12, "previous_school": 200,
          "carer_name": 100, "carer_phone": 30}
ARRIVAL_FIELDS = ("arrived_on", "address", "postcode", "previous_school")


class Status(StrEnum):
    EXPECTED = "expected"
    ARRIVED = "arrived"
    CASE = "case"  # did not arrive: a CME case, never started provision


@dataclass(frozen=True)
class Starter:
    school_id: int
    pupil: Pupil
    first_day: date
    previous_school: str = ""
    status: Status = Status.EXPECTED
    arrived_on: date | None = None
    case_reference: str = ""
    card_conversation_id: str | None = None  # the non-arrival card in the school's channel
    card_activity_id: str | None = None
    id: int | None = None
    version: int = 0

    @property
    def reference(self) -> str:
        """What the channel card and the school's list call it: no name."""
        return f"NS-{self.id:05d}" if self.id is not None else "NS-new"

    @property
    def key(self) -> str:
        return pupil_key(self.pupil, self.first_day)


def pupil_key(pupil: Pupil, first_day: date) -> str:
    """The same pupil starting on the same day: one record (a re-import, a second click). A hash: no name in it."""
    said = "|".join((" ".join(pupil.forename.lower().split()), " ".join(pupil.surname.lower().split()),
                     pupil.date_of_birth.isoformat() if pupil.date_of_birth else "", first_day.isoformat()))
    return hashlib.sha256(said.encode()).hexdigest()[:40]


def parse_reference(text: str) -> int | None:
    text = text.strip().upper()
    if text.startswith("NS-") and text[3:].isascii() and text[3:].isdigit():
        return int(text[3:])
    return None


def _text(values: dict, key: str) -> str:
    return str(values.get(key) or "").strip()


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _typed(key: str, text: str) -> str | None:
    if len(text) > LIMITS.get(key, 10_000):
        return f"Please keep this under {LIMITS[key]} characters."
    if key == "year_group" and text not in YEAR_GROUPS:
        return "Choose the year group: Reception, Year 1 to Year 11, or Not known."
    if key == "postcode":
        return postcode_problem(text)
    if key == "carer_phone":
        return phone_problem(text)
    if key in ("date_of_birth", "first_day") and _date(text) is None:
        return "Enter the date as a date, for example 2027-09-06."
    return None


def first_day_problem(first_day: date, calendar: SchoolCalendar, today: date) -> str | None:
    if abs((first_day - today).days) > FURTHEST:
        return f"The agreed first day must be within about a year of today, {long_date(today)}."
    if not calendar.is_school_day(first_day):
        return (f"{long_date(first_day, weekday=True)} is not a school day ({calendar.closure_on(first_day)}): "
                "the agreed first day is a day the school is open.")
    return None


def check_starter(values: dict, school_id: int, calendar: SchoolCalendar,
                  today: date) -> tuple[Starter | None, dict[str, str]]:
    """An expected starter from typed values (a card, a CSV row), or the problems by field in plain words."""
    errors: dict[str, str] = {}
    for key in FIELDS:
        text = _text(values, key)
        problem = REQUIRED.get(key) if not text else _typed(key, text)
        if problem:
            errors[key] = problem
    born, first_day = _date(_text(values, "date_of_birth")), _date(_text(values, "first_day"))
    if born and "date_of_birth" not in errors and born > today:
        errors["date_of_birth"] = f"The date of birth cannot be after today, {long_date(today)}."
    if first_day and "first_day" not in errors and (problem := first_day_problem(first_day, calendar, today)):
        errors["first_day"] = problem
    if born and first_day and not errors and not 2 <= first_day.year - born.year <= 19:
        errors["date_of_birth"] = "Check the date of birth: the pupil would not be of school age on the first day."
    if _text(values, "carer_phone") and not _text(values, "carer_name") and "carer_phone" not in errors:
        errors["carer_name"] = "Enter the parent or carer's name for this telephone number."
    if errors:
        return None, errors
    carers = (Carer(_text(values, "carer_name"), _text(values, "carer_phone")),) if _text(values, "carer_name") else ()
    pupil = Pupil(_text(values, "forename"), _text(values, "surname"), born, year_group=_text(values, "year_group"),
                  address=_text(values, "address"), postcode=normalise_postcode(_text(values, "postcode"))
                  if _text(values, "postcode") else "", carers=carers)
    return Starter(school_id, pupil, first_day, previous_school=_text(values, "previous_school")), {}


@dataclass(frozen=True)
class Arrival:
    """The new pupil return: the day the pupil arrived, their address and previous school."""

    arrived_on: date
    address: str
    postcode: str
    previous_school: str


def check_arrival(starter: Starter, values: dict, calendar: SchoolCalendar,
                  today: date) -> tuple[Arrival | None, dict[str, str]]:
    errors: dict[str, str] = {}
    arrived_on = _date(_text(values, "arrived_on"))
    if arrived_on is None:
        errors["arrived_on"] = "Enter the day the pupil arrived, for example 2027-09-06."
    elif arrived_on > today:
        errors["arrived_on"] = f"The day the pupil arrived cannot be after today, {long_date(today)}."
    elif (today - arrived_on).days > FURTHEST:
        errors["arrived_on"] = f"The day the pupil arrived must be within about a year of today, {long_date(today)}."
    elif not calendar.is_school_day(arrived_on):
        errors["arrived_on"] = (f"{long_date(arrived_on, weekday=True)} was not a school day "
                                f"({calendar.closure_on(arrived_on)}).")
    if not _text(values, "address"):
        errors["address"] = "Enter the pupil's home address: the new pupil return carries it."
    for key in ("address", "postcode", "previous_school"):
        if (text := _text(values, key)) and key not in errors and (problem := _typed(key, text)):
            errors[key] = problem
    if errors:
        return None, errors
    postcode = _text(values, "postcode")
    return Arrival(arrived_on, _text(values, "address"), normalise_postcode(postcode) if postcode else "",
                   _text(values, "previous_school")), {}


def arrive(starter: Starter, arrival: Arrival) -> Starter:
    """The starter as arrived; refused once arrived or a CME case, saying what happened."""
    already(starter)
    pupil = replace(starter.pupil, address=arrival.address, postcode=arrival.postcode)
    return replace(starter, pupil=pupil, previous_school=arrival.previous_school, status=Status.ARRIVED,
                   arrived_on=arrival.arrived_on)


def already(starter: Starter) -> None:
    """Nothing more happens to a starter who arrived or became a case: the words say which."""
    if starter.status is Status.ARRIVED:
        raise ProcedureError(f"{starter.reference} arrived on {long_date(starter.arrived_on)}: the new pupil return "
                             "went to the local authority then. Nothing more to do.")
    if starter.status is Status.CASE:
        raise ProcedureError(f"{starter.reference} did not arrive and is CME case {starter.case_reference} already: "
                             f"work it from its case card (say **case {starter.case_reference}**).")


def day_one(starter: Starter, calendar: SchoolCalendar) -> date:
    """Day 1 of the non-arrival: the agreed first day (the next school day, if the term dates have changed)."""
    return calendar.school_day_on_or_after(starter.first_day)


def non_arrival_due(starter: Starter, calendar: SchoolCalendar) -> date | None:
    """The school day after 5 school days from the agreed first day: from its morning the pupil has not arrived
    "within 5 school days" and may be made a CME case. None while it falls past the term dates in force."""
    try:
        return calendar.known_date_of_day(day_one(starter, calendar), NON_ARRIVAL_DAYS + 1)
    except CalendarError:
        return None


def is_overdue(starter: Starter, calendar: SchoolCalendar, today: date) -> bool:
    due = non_arrival_due(starter, calendar)
    return starter.status is Status.EXPECTED and due is not None and due <= today


def never_started(starter: Starter, calendar: SchoolCalendar, today: date) -> Report:
    """The report a non-arrival makes: the same fields the report form gives `cme.casework.new_case`. Refused
    before the 5 school days have passed (the caller refuses an arrived pupil, or one made a case, with `already`)."""
    due = non_arrival_due(starter, calendar)
    if due is None or due > today:
        when = f"on {long_date(due, weekday=True)}" if due else "once the term dates covering it are imported"
        raise ProcedureError(f"{starter.reference} is expected from {long_date(starter.first_day, weekday=True)}: "
                             f"a pupil becomes a CME case after {NON_ARRIVAL_DAYS} school days without arriving, "
                             f"{when}. Press Arrived if the pupil has come.")
    known = (f"Expected to start on {long_date(starter.first_day, weekday=True)} and did not arrive within "
             f"{NON_ARRIVAL_DAYS} school days (policy section 6)."
             + (f" Previous school: {starter.previous_school}." if starter.previous_school else ""))
    return Report(pupil=starter.pupil, school_id=starter.school_id, first_day_absent=day_one(starter, calendar),
                  last_day_attended=None, known_so_far=known, reason=NEVER_STARTED, risk_groups=(), risk=Risk())


# The CSV import: a header naming the columns, then one pupil a line.

CSV_REQUIRED = ("forename", "surname", "date_of_birth", "year_group", "first_day")


@dataclass(frozen=True)
class CsvChecked:
    starters: tuple[Starter, ...]
    problems: tuple[str, ...]  # "line N: what is wrong", in file order; none: every row is good


def _header_problems(header: list[str]) -> list[str]:
    problems = []
    unknown = [name for name in header if name not in FIELDS]
    if unknown:
        problems.append(f"line 1: unknown column(s) {', '.join(unknown)}; the columns are {', '.join(FIELDS)}")
    missing = [name for name in CSV_REQUIRED if name not in header]
    if missing:
        problems.append(f"line 1: missing column(s) {', '.join(missing)}")
    if len(set(header)) != len(header):
        problems.append("line 1: a column is named twice")
    return problems


def parse_csv(text: str, school_id: int, calendar: SchoolCalendar, today: date) -> CsvChecked:
    """Every row checked as the card checks it; one bad row and none is imported (the caller's rule)."""
    if text.startswith("\ufeff"):
        text = text[1:]  # a spreadsheet's byte order mark
    try:
        rows = list(csv.reader(text.splitlines(keepends=True)))
    except csv.Error as error:
        return CsvChecked((), (f"the file is not readable CSV: {error}",))
    if not rows or not any(cell.strip() for cell in rows[0]):
        return CsvChecked((), ("line 1: the header is missing (forename,surname,date_of_birth,year_group,"
                               "first_day,...)",))
    header = [cell.strip().lower() for cell in rows[0]]
    if problems := _header_problems(header):
        return CsvChecked((), tuple(problems))
    starters: list[Starter] = []
    problems = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            problems.append(f"line {number}: {len(row)} values for {len(header)} columns")
            continue
        starter, errors = check_starter(dict(zip(header, row, strict=True)), school_id, calendar, today)
        if errors:
            problems += [f"line {number}: {key}: {message}" for key, message in errors.items()]
            continue
        if starter.key in seen:
            problems.append(f"line {number}: the same pupil and first day as line {seen[starter.key]}")
            continue
        seen[starter.key] = number
        starters.append(starter)
    if not starters and not problems:
        problems.append("the file has a header but no pupils")
    return CsvChecked(tuple(starters), tuple(problems))
