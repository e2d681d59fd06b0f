"""Rectifying a wrong detail of a child (UK GDPR article 16): a step recorded in the history, "corrected <field>
(reason)", with the value before and after; the case row changes, the history never does."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from cme.case import Case
from cme.casework import Change
from cme.lifecycle import ProcedureError
from cme.report import date_problem, normalise_postcode, postcode_problem
from cme.upn import normalise_upn, upn_problem

EVENT = "corrected"
FIELDS = {"forename": "forename", "surname": "surname", "date_of_birth": "date of birth", "upn": "UPN",
          "year_group": "year group", "address": "address", "postcode": "postcode"}
LONGEST = 300
REASON_LONGEST = 500


def _checked(field: str, value: str, today: date) -> str:
    """The value as stored, or a ProcedureError saying what is wrong with it."""
    problem = None
    if field == "date_of_birth":
        problem = date_problem(value, today, "date_of_birth")
    elif field == "upn":
        value = normalise_upn(value)
        problem = upn_problem(value)
    elif field == "postcode":
        value = normalise_postcode(value)
        problem = postcode_problem(value)
    elif len(value) > LONGEST:
        problem = f"Please keep the new value under {LONGEST} characters."
    if problem:
        raise ProcedureError(problem)
    return value


def correct(case: Case, field: str, value: str, reason: str, today: date) -> Change:
    """The child's `field` set to `value`, for `reason`: a history entry with both values."""
    if field not in FIELDS:
        raise ProcedureError("Choose the detail to correct from the list.")
    value, reason = value.strip(), reason.strip()
    if not value:
        raise ProcedureError(f"Give the correct {FIELDS[field]}.")
    if not reason:
        raise ProcedureError("Say why the detail was wrong: the correction is recorded with its reason.")
    if len(reason) > REASON_LONGEST:
        raise ProcedureError(f"Please keep the reason under {REASON_LONGEST} characters.")
    value = _checked(field, value, today)
    before = getattr(case.pupil, field)
    before = before.isoformat() if isinstance(before, date) else before
    if before == value:
        raise ProcedureError(f"Nothing was changed: that is the {FIELDS[field]} already recorded.")
    stored = date.fromisoformat(value) if field == "date_of_birth" else value
    pupil = replace(case.pupil, **{field: stored})
    return Change(replace(case, pupil=pupil), EVENT, {"field": field, "from": before, "to": value, "reason": reason},
                  f"Corrected the {FIELDS[field]}", None, None)


def describe_correction(data: dict) -> str:
    """The history line; the reason is typed text: the caller makes it inert."""
    return f"corrected {FIELDS.get(data.get('field', ''), 'a detail')}"
