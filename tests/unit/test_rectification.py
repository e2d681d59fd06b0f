"""Correcting a wrong detail (cme/rectification.py): recorded with before, after and reason; bad values refused."""

from datetime import date

import pytest

from cme.case import Case, Pupil
from cme.lifecycle import ProcedureError, State
from cme.rectification import correct

TODAY = date(2026, 11, 16)
CASE = Case("CME-2026-0001", 1, State.ENQUIRIES, Pupil("Ada", "Exmaple", date(2015, 3, 14)), date(2026, 11, 2),
            date(2026, 11, 2))


def test_a_correction_changes_the_case_and_says_what_was_there():
    change = correct(CASE, "surname", " Example ", "Misspelt on the report", TODAY)
    assert change.case.pupil.surname == "Example" and change.case.state is State.ENQUIRIES
    assert change.event == "corrected" and change.data == {"field": "surname", "from": "Exmaple", "to": "Example",
                                                           "reason": "Misspelt on the report"}
    born = correct(CASE, "date_of_birth", "2015-04-14", "Month wrong", TODAY)
    assert born.case.pupil.date_of_birth == date(2015, 4, 14) and born.data["from"] == "2015-03-14"


@pytest.mark.parametrize(("field", "value", "reason", "says"), [
    ("surname", "Example", "", "Say why"),
    ("surname", "", "typo", "Give the correct surname"),
    ("carers", "x", "typo", "from the list"),
    ("date_of_birth", "14/03/2015", "typo", "as a date"),
    ("date_of_birth", "2027-01-01", "typo", "cannot be after today"),
    ("upn", "A12345678901", "typo", "13 characters"),
    ("postcode", "nowhere", "typo", "UK postcode"),
    ("surname", "Exmaple", "typo", "Nothing was changed"),
])
def test_bad_corrections_are_refused_in_words(field, value, reason, says):
    with pytest.raises(ProcedureError, match=says):
        correct(CASE, field, value, reason, TODAY)
