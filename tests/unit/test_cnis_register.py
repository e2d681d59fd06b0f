"""Who belongs on the children not in school register (CWS Act 2026, s.436B-C of the 1996 Act), and its fields."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from cme import cnis_register
from cme.case import Risk
from cme.cnis_register import NOT_HELD, Provision
from cme.lifecycle import Outcome, State
from tests.unit.builders import PUPIL, a_case

TODAY = date(2026, 12, 4)


@pytest.mark.parametrize(("state", "outcome", "school_id", "on_it"), [
    (State.OUT_OF_PROVISION, Outcome.REMOVED_FROM_ROLL, None, True),
    (State.NOT_LOCATED, Outcome.NOT_LOCATED, None, True),
    (State.CLOSED, Outcome.ELECTIVE_HOME_EDUCATION, None, True),
    (State.CLOSED, Outcome.OTHER_PROVISION, None, True),
    (State.REPORTED, None, None, True),  # an agency's referral kept on the authority's register
    (State.REPORTED, None, 1, False),  # still on a school's roll: the school's case
    (State.CLOSED, Outcome.ON_ROLL_ELSEWHERE, None, False),
    (State.CLOSED, Outcome.LOCATED_OUTSIDE_AREA, None, False),
    (State.CLOSED, Outcome.LEFT_ENGLAND, None, False),
])
def test_who_is_on_the_register(state, outcome, school_id, on_it):
    case = a_case(state=state, outcome=outcome, school_id=school_id)
    assert cnis_register.belongs(case, TODAY) is on_it


def test_a_child_past_compulsory_school_age_is_not_on_it():
    older = replace(PUPIL, date_of_birth=date(2008, 3, 14))
    assert not cnis_register.belongs(a_case(state=State.OUT_OF_PROVISION, school_id=None, pupil=older), TODAY)


def test_the_row_holds_what_the_case_holds_and_names_what_it_does_not():
    case = a_case(state=State.CLOSED, outcome=Outcome.ELECTIVE_HOME_EDUCATION, school_id=None,
                  risk=Risk(looked_after=True))
    line = cnis_register.row(case, Provision(Outcome.ELECTIVE_HOME_EDUCATION))
    assert set(line) == set(cnis_register.COLUMNS)
    assert line["name"] == "Testy McTestface"
    assert line["date_of_birth"] == "2015-03-14"
    assert line["home_address"] == "1 Nowhere Lane, Fictionville, ZZ9 9ZZ"
    assert line["parents"] == "Parent McTestface"
    assert line["education_provider"] == "parent (elective home education)"
    assert line["looked_after"] == "yes" and line["child_protection"] == "no"
    assert line["parents_addresses"] == NOT_HELD and line["time_with_provider"] == NOT_HELD
    assert "parents_addresses" in line["not_held"] and "name" not in line["not_held"].split(", ")
    assert line["protected_characteristics"] == NOT_HELD  # sex not known
    assert cnis_register.row(replace(case, sex="female"), Provision())["protected_characteristics"] == "sex: female"


def test_a_child_out_of_provision_has_no_provider_and_other_provision_names_it():
    out = cnis_register.row(a_case(state=State.OUT_OF_PROVISION, school_id=None), Provision())
    assert out["education_provider"].startswith("none known")
    elsewhere = a_case(state=State.CLOSED, outcome=Outcome.OTHER_PROVISION, school_id=None)
    line = cnis_register.row(elsewhere, Provision(Outcome.OTHER_PROVISION, "Riverside Tuition Centre (fictional)"))
    assert line["education_provider"] == "Riverside Tuition Centre (fictional)"
