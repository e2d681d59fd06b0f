"""Fictional pupils, a school calendar and cases at each point of the procedure, for the unit tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from cme.calendar import Closure, SchoolCalendar
from cme.case import Carer, Case, Pupil, Risk
from cme.casework import complete_checklist, complete_cme_referral, contact_ews, log_enquiry, review_day_20
from cme.checklist import MISSING_PUPIL_CHECKLIST
from cme.lifecycle import State
from cme.removal import LEGAL_TESTS, confirm_legal_tests

SCHOOL = "Imaginary Academy (fictional)"

# The example term dates' 2026/27 closures (config/term-dates.example.toml); bank holidays come from England's.
CALENDAR = SchoolCalendar(SCHOOL, closures=(
    Closure("INSET days", date(2026, 9, 1), date(2026, 9, 2)),
    Closure("Autumn half term", date(2026, 10, 26), date(2026, 10, 30)),
    Closure("Christmas holiday", date(2026, 12, 21), date(2027, 1, 1)),
    Closure("INSET day", date(2027, 1, 4), date(2027, 1, 4)),
    Closure("Spring half term", date(2027, 2, 15), date(2027, 2, 19)),
))

# Day 1 on Monday 2 November 2026, after half term: Day 5 is Friday 6 November, Day 20 Friday 27 November.
DAY_1 = date(2026, 11, 2)
DAY_5 = date(2026, 11, 6)
DAY_20 = date(2026, 11, 27)
DAY_21 = date(2026, 11, 30)
REFERENCE = "CME-2026-0042"

PUPIL = Pupil(forename="Testy", surname="McTestface", date_of_birth=date(2015, 3, 14), upn="", year_group="Year 6",
              address="1 Nowhere Lane, Fictionville", postcode="ZZ9 9ZZ",
              carers=(Carer("Parent McTestface", "07700 900123"),))
AT_RISK = Risk(child_protection_plan=True)
EVERY_CHECKLIST_ITEM = {key for key, _ in MISSING_PUPIL_CHECKLIST}
EVERY_LEGAL_TEST = {key for key, _, _ in LEGAL_TESTS}
SCHOOL_STAFF = "Sam School"


def a_case(**fields) -> Case:
    """A case just reported: Day 1 on DAY_1, nothing done yet."""
    case = Case(reference=REFERENCE, school_id=1, state=State.REPORTED, pupil=PUPIL,
                first_day_absent=DAY_1, run_start=DAY_1)
    return replace(case, **fields)


def worked_to_day_20(case: Case | None = None) -> Case:
    """A case worked by the procedure's own steps to Day 20: every removal precondition met."""
    case = case or a_case()
    case = log_enquiry(case, "phone_call", "No answer on any number", "", DAY_1).case
    case = log_enquiry(case, "home_visit", "House empty, curtains drawn", "", date(2026, 11, 3)).case
    case = contact_ews(case, "Spoke to the EWS duty officer", DAY_5).case
    case = complete_checklist(case, EVERY_CHECKLIST_ITEM, DAY_5).case
    case = review_day_20(case, "Reviewed with EWS: still untraced", CALENDAR, DAY_20).case
    case = complete_cme_referral(case, "Referral sent", DAY_20).case
    return confirm_legal_tests(case, EVERY_LEGAL_TEST, SCHOOL_STAFF, DAY_20).case


def card_text(node) -> str:
    """Everything a person reads on a card: text, facts, input labels and titles, button titles."""
    parts: list[str] = []

    def walk(item) -> None:
        if isinstance(item, list):
            for element in item:
                walk(element)
            return
        if not isinstance(item, dict):
            return
        kind = item.get("type", "")
        if kind == "TextBlock":
            parts.append(str(item.get("text", "")))
        elif kind == "Fact" or (kind == "" and "title" in item and "value" in item):
            parts.append(f"{item.get('title')}: {item.get('value')}")
        elif kind.startswith("Action."):
            parts.append(f"[{item.get('title', '')}]")
        elif kind == "Input.Toggle":
            parts.append(f"{item.get('title', '')}={item.get('value', '')}")
        elif kind.startswith("Input."):
            parts.append(f"{item.get('label', '')}={item.get('value', '')}")
        for key, value in item.items():
            if key not in ("data", "fallback"):
                walk(value)

    walk(node)
    return "\n".join(p for p in parts if p)


def buttons(node) -> list[str]:
    """The titles of the buttons a card shows, in order; not those inside a card a button opens."""
    found: list[str] = []

    def walk(item) -> None:
        if isinstance(item, list):
            for element in item:
                walk(element)
        elif isinstance(item, dict):
            if str(item.get("type", "")).startswith("Action."):
                found.append(item.get("title", ""))
                return
            for value in item.values():
                walk(value)

    walk(node.get("body", []))
    walk(node.get("actions", []))
    return found
