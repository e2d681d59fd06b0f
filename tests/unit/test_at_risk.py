"""At-risk groups (policy 6.2) and the reason (policy 6.3): shown on the case card, changed as a step with history."""

from __future__ import annotations

import pytest

from cards.case_card import case_card
from cards.history import describe
from cme.at_risk_change import change_at_risk
from cme.casework import record_outcome
from cme.lifecycle import Outcome, ProcedureError, State
from tests.unit.builders import CALENDAR, DAY_5, a_case, buttons
from tests.unit.test_cards import case_view, shown


def test_the_case_card_shows_the_groups_and_reason_captured_on_the_report():
    case = a_case(risk_groups=("young_carers", "homeless_families"), reason="moved_no_school")
    text = shown(case_card(case_view(case, DAY_5)))
    assert "At-risk groups" in text and "Homeless family, Young carer" in text
    assert "Why missing" in text and "Moved address without a new school" in text
    assert "None recorded" in shown(case_card(case_view(a_case(), DAY_5)))
    assert "Not known yet" in shown(case_card(case_view(a_case(), DAY_5)))


def test_the_case_card_offers_the_change_with_the_current_choices_to_those_who_work_the_case():
    case = a_case(risk_groups=("runaways",), reason="hard_to_place")
    card = case_card(case_view(case, DAY_5))
    assert "At-risk groups and reason" in buttons(card)
    form = next(a for a in card["actions"] if a.get("title") == "At-risk groups and reason")["card"]
    inputs = {i["id"]: i for i in form["body"] if i["type"] == "Input.ChoiceSet"}
    assert inputs["risk_groups"]["value"] == "runaways" and len(inputs["risk_groups"]["choices"]) == 18
    assert inputs["reason"]["value"] == "hard_to_place" and len(inputs["reason"]["choices"]) == 9
    assert "At-risk groups and reason" not in buttons(case_card(case_view(case, DAY_5, can_work=False)))


def test_a_change_records_what_was_added_and_removed_and_the_reason_before():
    case = a_case(risk_groups=("runaways", "young_carers"), reason="unknown")
    change = change_at_risk(case, ["young_carers", "looked_after"], "moved_no_school", CALENDAR, DAY_5)
    assert change.case.risk_groups == ("looked_after", "young_carers")
    assert change.case.reason == "moved_no_school" and change.case.state is State.REPORTED
    assert change.event == "at_risk_changed"
    assert change.data == {"groups": ["looked_after", "young_carers"], "added": ["looked_after"],
                           "removed": ["runaways"], "reason": "moved_no_school", "previous_reason": "unknown",
                           "notice": {"before": None, "after": "2026-11-13"}}
    words = describe(change.event, change.data)
    assert "added Child looked after" in words and "removed Runaway" in words
    assert "reason now: Moved address without a new school (was: Not known yet)" in words


@pytest.mark.parametrize("groups, reason, refusal", [
    (["runaways"], "unknown", "Nothing was changed"),
    (["not_a_group"], "unknown", "Choose the at-risk groups"),
    ([], "not_a_reason", "Choose why the child is missing"),
])
def test_a_change_refuses_nothing_new_and_unknown_choices(groups, reason, refusal):
    with pytest.raises(ProcedureError, match=refusal):
        change_at_risk(a_case(risk_groups=("runaways",), reason="unknown"), groups, reason, CALENDAR, DAY_5)


def test_a_closed_case_keeps_its_groups():
    closed = record_outcome(a_case(), Outcome.RETURNED, DAY_5).case
    with pytest.raises(ProcedureError, match="closed"):
        change_at_risk(closed, ["runaways"], "unknown", CALENDAR, DAY_5)
