"""The children not in school register the Children's Wellbeing and Schools Act 2026 (s.38) asks of each local
authority: sections 436B-436G of the Education Act 1996, not yet in force. Which of the authority's children
belong on it, and the fields of s.436C the bot holds for each; a field it does not hold is named, never guessed.

Who is on it (our reading, the one that keeps a child in sight): a child of compulsory school age who is out of
provision after removal from roll, not located (the last known address was in the area), in elective home
education or other provision as the officer recorded, or on the authority's register with no school. A child
located outside the area, gone from England, or on roll at a school is not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cme.case import Case
from cme.lifecycle import Outcome, State
from cme.school_age import of_compulsory_school_age

NOT_HELD = "not held"

# s.436C(1): required; s.436C(2): may be kept. (field, what the Act asks for)
REQUIRED = (
    ("name", "the child's name"),
    ("date_of_birth", "the child's date of birth"),
    ("home_address", "the child's home address"),
    ("parents", "the name of each parent"),
    ("parents_addresses", "the home address of each parent"),
    ("education_provider", "who provides the child's education"),
    ("time_with_provider", "the estimated time the child spends with that provider"),
    ("other_providers", "other providers' names, addresses and type"),
)
OPTIONAL = (
    ("child_protection", "child protection enquiries or plan"),
    ("looked_after", "looked after"),
    ("child_in_need", "child in need"),
    ("special_educational_needs", "special educational needs"),
    ("protected_characteristics", "protected characteristics"),
)
COLUMNS = ("reference",) + tuple(name for name, _ in REQUIRED + OPTIONAL) + ("not_held",)

_NOT_IN_EDUCATION = "none known: missing education, tracked by the local authority"
_OFF_THE_REGISTER = {Outcome.ON_ROLL_ELSEWHERE, Outcome.LOCATED_OUTSIDE_AREA, Outcome.LEFT_ENGLAND,
                     Outcome.RETURNED, Outcome.LOCATED_IN_AREA}


@dataclass(frozen=True)
class Provision:
    """What the officer recorded when the child was found out of school: the outcome's step data."""

    outcome: Outcome | None = None
    provider: str = ""


def belongs(case: Case, on: date) -> bool:
    born = case.pupil.date_of_birth
    if born is not None and not of_compulsory_school_age(born, on):
        return False
    if case.state in (State.OUT_OF_PROVISION, State.NOT_LOCATED):
        return True
    if case.state is State.CLOSED:
        return case.outcome in (Outcome.ELECTIVE_HOME_EDUCATION, Outcome.OTHER_PROVISION)
    return case.school_id is None and case.outcome not in _OFF_THE_REGISTER


def _provider(case: Case, provision: Provision) -> str:
    if case.state is State.CLOSED and provision.outcome is Outcome.ELECTIVE_HOME_EDUCATION:
        return "parent (elective home education)"
    if case.state is State.CLOSED and provision.outcome is Outcome.OTHER_PROVISION:
        return provision.provider or NOT_HELD
    return _NOT_IN_EDUCATION


def row(case: Case, provision: Provision) -> dict[str, str]:
    """One line of the register: s.436C's fields, and which of them the bot does not hold."""
    pupil = case.pupil
    address = ", ".join(part for part in (pupil.address, pupil.postcode) if part)
    values = {
        "reference": case.reference,
        "name": pupil.full_name,
        "date_of_birth": pupil.date_of_birth.isoformat() if pupil.date_of_birth else "",
        "home_address": address,
        "parents": "; ".join(carer.name for carer in pupil.carers),
        # The report records carers' names and telephones, not their own addresses.
        "parents_addresses": "",
        "education_provider": _provider(case, provision),
        "time_with_provider": "",
        "other_providers": "",
        "child_protection": "yes" if case.risk.child_protection_plan or case.risk.suspected_harm_or_crime else "no",
        "looked_after": "yes" if case.risk.looked_after else "no",
        "child_in_need": "",
        "special_educational_needs": "",
        "protected_characteristics": f"sex: {case.sex}" if case.sex in ("female", "male") else "",
    }
    missing = [name for name, _ in REQUIRED + OPTIONAL if not values[name]]
    for name in missing:
        values[name] = NOT_HELD
    values["not_held"] = ", ".join(missing)
    return values
