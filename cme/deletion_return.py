"""The deletion return (regulation 13(4) of the 2024 regulations): the grounds of deletion, the data it carries,
and what is missing from a return as typed.

The policy (section 6) asks schools to tell the local authority every time they are about to delete a pupil's
name; the School Attendance (Pupil Registration) (England) Regulations 2024 make this the deletion return
(regulation 13(4)): as soon as the ground is met and no later than the deletion, not for a pupil leaving at the
end of the school's most senior year (regulation 13(5)). The grounds are those of regulation 9(1), for pupils of
compulsory school age, put in plain words here; the regulation is cited beside each.

Where the law is silent this module takes the reading that protects the child and the school:

- at least one parent the pupil lives with is required (a foster carer or anyone caring for the child is a
  parent in education law); a second is optional, but once named needs an address and a telephone number too;
- registered at another school (9(1)(a)), or a school attendance order naming another (9(1)(d)): the new school
  is required, and for 9(1)(a) its start date; moved away (9(1)(g)): the new address is required, since a pupil
  who moved to an address nobody knows may be missing education and should be reported instead;
- a deletion date already past is accepted (a late return is better than none) and the card says it was late.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from cme.law import DELETION_RETURN, REGULATIONS
from cme.report import phone_problem

REGULATION_9 = f"regulation 9(1) of {REGULATIONS}"
CME_GROUND = "i"


@dataclass(frozen=True)
class Ground:
    key: str  # the letter of the sub-paragraph of regulation 9(1)
    meaning: str  # in plain words

    @property
    def paragraph(self) -> str:
        return f"9(1)({self.key})"

    @property
    def label(self) -> str:
        return f"{self.meaning} (regulation {self.paragraph})"


GROUNDS: tuple[Ground, ...] = (
    Ground("a", "Registered at another school (not a dual registration agreed with it, not while a school attendance "
                "order names this school, not a mobile child whose main school this is)"),
    Ground("b", "Finished nursery education here and not expected back for reception or a later class"),
    Ground("c", "Also registered at other schools, each of which agreed to this deletion, and not expected back here"),
    Ground("d", "A school attendance order that named this school now names another"),
    Ground("e", "A school attendance order naming this school was revoked: suitable education is arranged "
                "otherwise than at school"),
    Ground("f", "A parent told the school in writing that the pupil is to be educated otherwise than at school "
                "(elective home education)"),
    Ground("g", "No longer ordinarily lives within a reasonable distance of the school (not a boarder)"),
    Ground("h", "Did not return within ten school days after a leave of absence ended, with no reason to believe "
                "sickness or an unavoidable cause, and joint enquiries by the school and the local authority have "
                "not found them"),
    Ground("i", "At least 20 continuous school days of unauthorised absence (codes G, N or O), with no reason to "
                "believe sickness or an unavoidable cause, and joint enquiries by the school and the local "
                "authority have not found them (children missing education)"),
    Ground("j", "Detained by order of a court for at least four months, and not expected back here at the end of it"),
    Ground("k", "Has died"),
    Ground("l", "Will be over compulsory school age before the school next meets and is not staying on into its "
                "sixth form"),
    Ground("m", "A boarder at a maintained school or academy whose boarding charges have not been paid"),
    Ground("n", "Has stopped being a pupil of an independent school or a non-maintained special school"),
    Ground("o", "Permanently excluded, once the time to ask for a review has passed or the review has ended"),
)
BY_KEY = {ground.key: ground for ground in GROUNDS}

FIELDS = ("ground", "deletion_on", "forename", "surname", "address", "parent1_name", "parent1_address",
          "parent1_phone", "parent2_name", "parent2_address", "parent2_phone", "new_address", "new_school",
          "new_school_start")
LABELS = {
    "ground": "the ground of deletion", "deletion_on": "the date of deletion",
    "forename": "the pupil's forename", "surname": "the pupil's surname", "address": "the pupil's address",
    "parent1_name": "the parent's full name", "parent1_address": "the parent's address",
    "parent1_phone": "the parent's emergency telephone number",
    "parent2_name": "the second parent's full name", "parent2_address": "the second parent's address",
    "parent2_phone": "the second parent's emergency telephone number",
    "new_address": "the new address", "new_school": "the new school", "new_school_start": "the start date there",
}
REQUIRED = ("ground", "deletion_on", "forename", "surname", "address", "parent1_name", "parent1_address",
            "parent1_phone")
SECOND_PARENT = ("parent2_name", "parent2_address", "parent2_phone")
# What a ground needs besides the regulation 13(4) data (see the module's note).
NEEDED_FOR = {"a": ("new_school", "new_school_start"), "d": ("new_school",), "g": ("new_address",)}
LIMITS = {"forename": 100, "surname": 100, "parent1_name": 200, "parent2_name": 200, "address": 300,
          "parent1_address": 300, "parent2_address": 300, "new_address": 300, "new_school": 200}
DATES = ("deletion_on", "new_school_start")
SAY = (f"The deletion return of {DELETION_RETURN}: made as soon as the ground is met, and no later than the "
       "deletion; not needed for a pupil leaving at the end of the school's most senior year (regulation 13(5)).")


@dataclass(frozen=True)
class Parent:
    name: str
    address: str
    phone: str


@dataclass(frozen=True)
class DeletionReturn:
    """What the school tells the local authority: the ground, the date and the regulation 13(4) data."""

    ground: str
    deletion_on: date
    forename: str
    surname: str
    address: str
    parents: tuple[Parent, ...]
    new_address: str = ""
    new_school: str = ""
    new_school_start: date | None = None

    @property
    def pupil_name(self) -> str:
        return f"{self.forename} {self.surname}"

    @property
    def ground_label(self) -> str:
        return BY_KEY[self.ground].label

    def late(self, sent_on: date) -> bool:
        """Sent after the name was deleted: regulation 13 wants it no later than the deletion."""
        return sent_on > self.deletion_on

    def as_json(self) -> dict:
        return {"ground": self.ground, "deletion_on": self.deletion_on.isoformat(), "forename": self.forename,
                "surname": self.surname, "address": self.address,
                "parents": [{"name": p.name, "address": p.address, "phone": p.phone} for p in self.parents],
                "new_address": self.new_address, "new_school": self.new_school,
                "new_school_start": self.new_school_start.isoformat() if self.new_school_start else None}

    @classmethod
    def from_json(cls, data: dict) -> DeletionReturn:
        start = data.get("new_school_start")
        return cls(data["ground"], date.fromisoformat(data["deletion_on"]), data["forename"], data["surname"],
                   data["address"], tuple(Parent(p["name"], p["address"], p["phone"]) for p in data["parents"]),
                   data.get("new_address", ""), data.get("new_school", ""),
                   date.fromisoformat(start) if start else None)

    def as_values(self) -> dict[str, str]:
        """The form's values again (a return opened to correct or to show)."""
        values = {"ground": self.ground, "deletion_on": self.deletion_on.isoformat(), "forename": self.forename,
                  "surname": self.surname, "address": self.address, "new_address": self.new_address,
                  "new_school": self.new_school,
                  "new_school_start": self.new_school_start.isoformat() if self.new_school_start else ""}
        for n, parent in enumerate(self.parents[:2], 1):
            values |= {f"parent{n}_name": parent.name, f"parent{n}_address": parent.address,
                       f"parent{n}_phone": parent.phone}
        return values


@dataclass(frozen=True)
class Checked:
    deletion_return: DeletionReturn | None
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def missing(self) -> list[str]:
        """Each required field left empty, by name, in the form's order."""
        return [LABELS[key] for key in FIELDS if self.errors.get(key, "").startswith("Missing")]


def _text(values: dict, key: str) -> str:
    return str(values.get(key) or "").strip()


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _needed(values: dict) -> tuple[str, ...]:
    """The fields this return must have: the law's, the ground's, and a second parent's once one is named."""
    second = SECOND_PARENT if any(_text(values, key) for key in SECOND_PARENT) else ()
    return REQUIRED + second + NEEDED_FOR.get(_text(values, "ground"), ())


def _problem(key: str, text: str, earliest: date | None) -> str | None:
    """What is wrong with a field typed in; None if nothing."""
    limit = LIMITS.get(key)
    if limit and len(text) > limit:
        return f"Please keep {LABELS[key]} under {limit} characters."
    if key == "ground" and text not in BY_KEY:
        return "Choose the ground of deletion from the list."
    if key in DATES and _date(text) is None:
        return f"Give {LABELS[key]} as a date, for example 2026-11-30."
    if key == "deletion_on" and earliest and _date(text) < earliest:
        return f"The name cannot be deleted before removal was agreed, {earliest:%-d %B %Y}."
    if key.endswith("_phone"):
        return phone_problem(text)
    return None


def check_return(values: dict, *, earliest: date | None = None) -> Checked:
    """The return as typed: each required field missing, and each field typed wrongly, named; else the return.

    `earliest`: for a child missing education, the off-roll date agreed (a name is never deleted before it)."""
    errors: dict[str, str] = {}
    needed = _needed(values)
    for key in FIELDS:
        text = _text(values, key)
        if not text:
            if key in needed:
                errors[key] = f"Missing: {LABELS[key]}."
            continue
        problem = _problem(key, text, earliest)
        if problem:
            errors[key] = problem
    if errors:
        return Checked(None, errors)
    parents = tuple(Parent(_text(values, f"parent{n}_name"), _text(values, f"parent{n}_address"),
                           _text(values, f"parent{n}_phone")) for n in (1, 2) if _text(values, f"parent{n}_name"))
    start = _text(values, "new_school_start")
    return Checked(DeletionReturn(_text(values, "ground"), date.fromisoformat(_text(values, "deletion_on")),
                                  _text(values, "forename"), _text(values, "surname"), _text(values, "address"),
                                  parents, _text(values, "new_address"), _text(values, "new_school"),
                                  date.fromisoformat(start) if start else None))


def from_case(pupil, off_roll_date: date | None) -> dict[str, str]:
    """A child missing education's return, opened from the case: ground 9(1)(i), the off-roll date agreed, the
    pupil and the carers as the report recorded them (each carer at the pupil's address until corrected)."""
    address = ", ".join(part for part in (pupil.address, pupil.postcode) if part)
    values = {"ground": CME_GROUND, "deletion_on": off_roll_date.isoformat() if off_roll_date else "",
              "forename": pupil.forename, "surname": pupil.surname, "address": address}
    for n, carer in enumerate(pupil.carers[:2], 1):
        values |= {f"parent{n}_name": carer.name, f"parent{n}_address": address, f"parent{n}_phone": carer.phone}
    return values
