"""Rectifying a wrong detail of a child (UK GDPR article 16): a step recorded in the history, "corrected <field>
(reason)", with the value before and after; the case row changes, the history never does."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from cme.case import Case
from cme.casework import Change
from cme.census import SEXES
from cme.lifecycle import ProcedureError
from cme.report import date_problem, normalise_postcode, postcode_problem
from cme.upn import normalise_upn, upn_problem

EVENT = "corrected"
FIELDS = {"forename": "forename", "surname": "surname", "date_of_birth": "date of birth", "upn": "UPN",
          "year_group": "year group", "address": "address", "postcode": "postcode", "sex": "sex"}
# The sex is the case's (the DfE census counts it), typed as its label: Female, Male or Not known.
SEX_TYPED = {label.casefold(): key for key, label in SEXES} | {key: key for key, _ in SEXES}
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
    elif field == "sex":
        value = SEX_TYPED.get(value.casefold(), "")
        problem = None if value else "Give the sex as Female, Male or Not known."
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
    if field == "sex":
        return _sex_corrected(case, value, reason)
    before = getattr(case.pupil, field)
    before = before.isoformat() if isinstance(before, date) else before
    if before == value:
        raise ProcedureError(f"Nothing was changed: that is the {FIELDS[field]} already recorded.")
    stored = date.fromisoformat(value) if field == "date_of_birth" else value
    pupil = replace(case.pupil, **{field: stored})
    return Change(replace(case, pupil=pupil), EVENT, {"field": field, "from": before, "to": value, "reason": reason},
                  f"Corrected the {FIELDS[field]}", None, None)


def _sex_corrected(case: Case, value: str, reason: str) -> Change:
    if case.sex == value:
        raise ProcedureError("Nothing was changed: that is the sex already recorded.")
    return Change(replace(case, sex=value), EVENT, {"field": "sex", "from": case.sex, "to": value, "reason": reason},
                  "Corrected the sex", None, None)


def describe_correction(data: dict) -> str:
    """The history line; the reason is typed text: the caller makes it inert."""
    return f"corrected {FIELDS.get(data.get('field', ''), 'a detail')}"
