"""The case lifecycle and its milestones."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from cme.lifecycle import OPEN_STATES, TRANSITIONS, ProcedureError, State, Step, next_state
from cme.milestones import Break, BreakKind, Milestone, due_dates, next_milestone, run_start
from cme.term_dates import parse_term_dates

EXAMPLE = Path(__file__).parents[2] / "config" / "term-dates.example.toml"
CALENDAR = parse_term_dates(EXAMPLE.read_text(encoding="utf-8")).calendar_for("900001")


def test_the_usual_path_to_removal_from_roll():
    state = State.REPORTED
    for step, expected in [
        (Step.LOG_ENQUIRY, State.ENQUIRIES),
        (Step.CONTACT_EWS, State.REFERRED_TO_EWS),
        (Step.REVIEW_DAY_20, State.REFERRED_TO_EWS),
        (Step.COMPLETE_CME_REFERRAL, State.CME_REFERRAL),
        (Step.REQUEST_REMOVAL, State.REMOVAL_REQUESTED),
        (Step.AGREE_REMOVAL, State.REMOVAL_AGREED),
        (Step.CONFIRM_REMOVED, State.OUT_OF_PROVISION),
        (Step.RECORD_NOT_LOCATED, State.NOT_LOCATED),
        (Step.REVIEW_NOT_LOCATED, State.NOT_LOCATED),
        (Step.RECORD_LOCATED, State.CLOSED),
    ]:
        state = next_state(state, step)
        assert state is expected


def test_declined_or_more_enquiries_returns_to_enquiries():
    assert next_state(State.REMOVAL_REQUESTED, Step.ASK_MORE_ENQUIRIES) is State.ENQUIRIES
    declined = next_state(State.REMOVAL_REQUESTED, Step.DECLINE_REMOVAL)
    assert declined is State.REMOVAL_DECLINED
    assert next_state(declined, Step.LOG_ENQUIRY) is State.ENQUIRIES
    assert next_state(declined, Step.REQUEST_REMOVAL) is State.REMOVAL_REQUESTED


def test_illegal_steps_are_refused_in_words():
    with pytest.raises(ProcedureError, match="cannot agree removal from roll while the case is at 'Enquiries"):
        next_state(State.ENQUIRIES, Step.AGREE_REMOVAL)
    with pytest.raises(ProcedureError, match="This case is closed"):
        next_state(State.CLOSED, Step.LOG_ENQUIRY)


def test_every_open_state_can_end():
    for state in OPEN_STATES:
        assert Step.RECORD_OUTCOME in TRANSITIONS[state] or Step.AGREE_REMOVAL in TRANSITIONS[state]


def test_milestones_from_the_first_day_of_absence():
    assert due_dates(CALENDAR, date(2026, 10, 19)) == {
        Milestone.DAY_5: date(2026, 10, 23), Milestone.DAY_20: date(2026, 11, 20)}
    assert next_milestone(CALENDAR, date(2026, 10, 19), date(2026, 10, 24)) == (Milestone.DAY_20, date(2026, 11, 20))
    assert next_milestone(CALENDAR, date(2026, 10, 19), date(2026, 11, 23)) is None


def test_a_break_restarts_the_continuous_count():
    first = date(2026, 11, 2)
    breaks = [Break(date(2026, 11, 4), BreakKind.ATTENDED)]
    assert run_start(CALENDAR, first, breaks) == date(2026, 11, 5)
    friday = [Break(date(2026, 11, 6), BreakKind.AUTHORISED)]
    assert run_start(CALENDAR, first, friday) == date(2026, 11, 9)
    assert due_dates(CALENDAR, run_start(CALENDAR, first, friday))[Milestone.DAY_5] == date(2026, 11, 13)
    assert run_start(CALENDAR, first, []) == first
