"""The deletion return's rules (regulation 13(4) of the 2024 regulations): the grounds of regulation 9(1) as a table,
each missing required field named, the ground's own needs, and a CME case's return filled in from the case."""

from __future__ import annotations

from datetime import date

import pytest

from cards.deletion_return import (
    ReturnForm,
    ReturnView,
    deletion_return_card,
    deletion_return_form_card,
    deletion_return_line_card,
)
from cards.validate import problems
from cme.case import Carer, Pupil
from cme.deletion_return import BY_KEY, GROUNDS, check_return, from_case
from tests.scenario.connector import card_text

COMPLETE = {"ground": "f", "deletion_on": "2026-11-20", "forename": "Kit", "surname": "Madeup",
            "address": "3 Nowhere Close, ZZ99 3ZZ", "parent1_name": "Jo Madeup",
            "parent1_address": "3 Nowhere Close, ZZ99 3ZZ", "parent1_phone": "07700 900333"}


def test_the_grounds_are_regulation_9_1_a_to_o_each_cited():
    assert [g.key for g in GROUNDS] == list("abcdefghijklmno")
    assert BY_KEY["i"].paragraph == "9(1)(i)" and "20 continuous school days" in BY_KEY["i"].meaning
    assert all(g.label.endswith(f"(regulation 9(1)({g.key}))") for g in GROUNDS)
    assert "elective home education" in BY_KEY["f"].meaning and BY_KEY["k"].meaning == "Has died"


def test_a_complete_return_is_accepted():
    checked = check_return(COMPLETE)
    assert checked.errors == {} and checked.deletion_return.pupil_name == "Kit Madeup"
    assert checked.deletion_return.parents[0].phone == "07700 900333"
    assert checked.deletion_return.deletion_on == date(2026, 11, 20)


def test_each_missing_required_field_is_named():
    checked = check_return({"forename": "Kit"})
    assert checked.deletion_return is None
    assert checked.missing == ["the ground of deletion", "the date of deletion", "the pupil's surname",
                               "the pupil's address", "the parent's full name", "the parent's address",
                               "the parent's emergency telephone number"]
    assert checked.errors["surname"] == "Missing: the pupil's surname."


@pytest.mark.parametrize(("changes", "field", "said"), [
    ({"ground": "z"}, "ground", "Choose the ground of deletion from the list."),
    ({"deletion_on": "20/11/2026"}, "deletion_on", "as a date"),
    ({"parent1_phone": "call me"}, "parent1_phone", "Enter a telephone number"),
    ({"parent2_name": "Lee Madeup"}, "parent2_phone", "Missing: the second parent's emergency telephone number."),
    ({"ground": "a"}, "new_school", "Missing: the new school."),
    ({"ground": "a", "new_school": "Faraway Academy"}, "new_school_start", "Missing: the start date there."),
    ({"ground": "g"}, "new_address", "Missing: the new address."),
    ({"forename": "K" * 101}, "forename", "under 100 characters"),
])
def test_a_wrong_or_missing_field_is_named(changes, field, said):
    checked = check_return({**COMPLETE, **changes})
    assert checked.deletion_return is None and said in checked.errors[field]


def test_a_cme_return_is_never_dated_before_the_agreed_off_roll_date():
    checked = check_return({**COMPLETE, "ground": "i"}, earliest=date(2026, 11, 23))
    assert "cannot be deleted before removal was agreed, 23 November 2026" in checked.errors["deletion_on"]


def test_a_case_fills_the_return_in():
    pupil = Pupil("Noor", "Madeup", date(2013, 6, 1), address="9 Fable Road", postcode="ZZ99 5ZZ",
                  carers=(Carer("Rae Madeup", "07700 900555"),))
    values = from_case(pupil, date(2026, 11, 16))
    assert values["ground"] == "i" and values["deletion_on"] == "2026-11-16"
    assert values["parent1_address"] == "9 Fable Road, ZZ99 5ZZ" and values["parent1_phone"] == "07700 900555"
    assert check_return(values).errors == {}


def test_the_form_keeps_what_was_typed_and_names_what_is_missing():
    checked = check_return({"forename": "Kit<b>"})
    card = deletion_return_form_card(ReturnForm("f1", {"forename": "Kit<b>"}, [(1, "Oakwood")], date(2026, 11, 16),
                                           errors=checked.errors, missing=checked.missing))
    assert problems(card) == []
    said = card_text(card)
    assert "Missing: the ground of deletion; the date of deletion; the pupil's surname" in said
    forename = next(item for item in card["body"] if item.get("id") == "forename")
    assert forename["value"] == "Kit<b>"  # as typed, never escaped into an input
    assert card["actions"][0]["data"] == {"verb": "return.submit", "form": "f1", "school": "1"}


def test_the_channel_line_names_nobody():
    line = deletion_return_line_card("DR-00001", "Oakwood Primary School (fictional)", "i")
    said = card_text(line)
    assert "DR-00001" in said and "9(1)(i)" in said and "Oakwood" in said


def test_the_return_card_says_sent_and_acknowledged_and_offers_acknowledgement_to_the_officer_only():
    from datetime import UTC, datetime
    made = check_return(COMPLETE).deletion_return
    view = ReturnView("DR-00001", 1, "Oakwood", made, datetime(2026, 11, 16, 9, 30, tzinfo=UTC), "Sam Staff")
    assert [a["title"] for a in deletion_return_card(view).get("actions", [])] == []
    officer = ReturnView(**{**view.__dict__, "can_acknowledge": True})
    assert [a["title"] for a in deletion_return_card(officer)["actions"]] == ["Acknowledge"]
    said = card_text(deletion_return_card(officer))
    assert "Sent on Monday 16 November 2026 at 09:30 by Sam Staff." in said and "Not acknowledged yet" in said
    done = ReturnView(**{**officer.__dict__, "acknowledged_at": datetime(2026, 11, 17, 10, 0, tzinfo=UTC),
                         "acknowledged_by": "Tara Tracker"})
    assert "Acknowledged on Tuesday 17 November 2026 at 10:00 by Tara Tracker." in card_text(deletion_return_card(done))
    assert "actions" not in deletion_return_card(done)
    assert "Sent after the date of deletion" not in said


def test_a_return_sent_after_the_deletion_says_it_was_late():
    from datetime import UTC, datetime
    made = check_return(COMPLETE).deletion_return  # deleted on 20 November 2026
    view = ReturnView("DR-00001", 1, "Oakwood", made, datetime(2026, 11, 16, 9, 30, tzinfo=UTC), "Sam Staff",
                      sent_on=date(2026, 11, 23))
    assert "Sent after the date of deletion" in card_text(deletion_return_card(view))
