"""A pending hand-off withdrawn by the sending authority, or declined by the receiving one with its reason
(cme/handoff.py): the child stays on the sending authority's register, out of provision; a declined one is marked."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cards.handoff import DECLINE, WITHDRAW, HandoffLine, describe_handoff, handoff_line_card
from cme.handoff import accept, decline, hand_off, register_mark, withdraw
from cme.lifecycle import ProcedureError, State
from tests.unit.test_handoff import BOROUGH, NORTH, TODAY, handed, out_of_provision


def test_the_sending_authority_withdraws_a_pending_hand_off_and_keeps_the_child():
    change = withdraw(handed(), TODAY)
    case = change.case
    assert case.handoff is None and case.authority_id == BOROUGH and case.state is State.OUT_OF_PROVISION
    assert change.event == "handoff_withdrawn" and change.data["to_authority"] == "Northfield Council (fictional)"
    assert register_mark(case.handoff, case.handoff_declined) is None
    with pytest.raises(ProcedureError, match="nothing to withdraw"):
        withdraw(case, TODAY)
    # a notification not yet sent to an authority not on this deployment can be taken back too
    assert withdraw(handed(None, "Faraway Council (fictional)"), TODAY).case.handoff is None


def test_the_receiving_authority_declines_with_a_reason_and_the_register_says_so():
    change = decline(handed(), [NORTH], "  Not at that address  ", "Nadia North", TODAY)
    case = change.case
    assert case.handoff is None and case.authority_id == BOROUGH and case.state is State.OUT_OF_PROVISION
    assert change.event == "handoff_declined" and change.data["reason"] == "Not at that address"
    assert register_mark(case.handoff, case.handoff_declined) == (
        "declined by Northfield Council (fictional): Not at that address")
    assert case.handoff_declined.by_name == "Nadia North" and case.handoff_declined.on == TODAY
    # handed over again: the mark gives way to the new hand-off
    again = hand_off(case, NORTH, "Northfield Council (fictional)", "Example Borough Council", "3 Other Road",
                     TODAY + timedelta(days=1)).case
    assert again.handoff_declined is None and again.handoff is not None


def test_only_the_receiving_authority_declines_saying_why_and_only_while_pending():
    with pytest.raises(ProcedureError, match="Only a tracking officer of Northfield"):
        decline(handed(), [BOROUGH], "no", "Tara", TODAY)
    with pytest.raises(ProcedureError, match="Give the reason"):
        decline(handed(), [NORTH], "   ", "Nadia North", TODAY)
    with pytest.raises(ProcedureError, match="not waiting to be accepted"):
        decline(out_of_provision(), [NORTH], "no", "Nadia North", TODAY)
    with pytest.raises(ProcedureError, match="not waiting to be accepted"):
        decline(handed(None, "Faraway Council (fictional)"), [NORTH], "no", "Nadia North", TODAY)
    accepted = accept(handed(), [NORTH], TODAY).case
    with pytest.raises(ProcedureError):
        decline(accepted, [NORTH], "no", "Nadia North", TODAY)
    with pytest.raises(ProcedureError):
        withdraw(accepted, TODAY)


def test_an_ended_line_has_no_accept_and_the_history_says_why():
    line = HandoffLine("CME-2026-0101", "Example Borough Council", "Northfield Council (fictional)", TODAY,
                       ended="Withdrawn by Example Borough Council on 14 December 2026: there is nothing to accept.")
    card = handoff_line_card(line)
    assert "actions" not in card or not card["actions"]
    assert "Withdrawn by Example Borough Council" in str(card)
    described = describe_handoff("handoff_declined", {"to_authority": "North", "reason": "*gone*"})
    assert described.startswith("declined by North: ") and "*" not in described, "typed text made inert"
    assert describe_handoff("handoff_withdrawn", {"to_authority": "North"}) == "hand-off to North withdrawn"
    assert (WITHDRAW, DECLINE) == ("handoff.withdraw", "handoff.decline")
