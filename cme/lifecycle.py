"""The case lifecycle: states, closing outcomes, and which step may happen in which state."""

from __future__ import annotations

from enum import StrEnum


class ProcedureError(ValueError):
    """A step the procedure does not allow, said so a member of staff knows what to do instead."""


class State(StrEnum):
    REPORTED = "reported"
    ENQUIRIES = "enquiries"
    REFERRED_TO_EWS = "referred_to_ews"
    CME_REFERRAL = "cme_referral"
    REMOVAL_REQUESTED = "removal_requested"
    REMOVAL_AGREED = "removal_agreed"
    REMOVAL_DECLINED = "removal_declined"
    # The school's part is closed; the child stays on the authority's register until the officer records where.
    OUT_OF_PROVISION = "out_of_provision"
    NOT_LOCATED = "not_located"  # on the Lost Pupils Database, reviewed on the date the authority sets
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return STATE_LABELS[self]


STATE_LABELS = {
    State.REPORTED: "Reported",
    State.ENQUIRIES: "Enquiries under way",
    State.REFERRED_TO_EWS: "Referred to the Education Welfare Service",
    State.CME_REFERRAL: "CME referral with the tracking officer",
    State.REMOVAL_REQUESTED: "Removal from roll requested",
    State.REMOVAL_AGREED: "Removal from roll agreed",
    State.REMOVAL_DECLINED: "Removal declined: enquiries continue",
    State.OUT_OF_PROVISION: "Out of provision: removed from roll, tracked by the local authority",
    State.NOT_LOCATED: "Not located: on the Lost Pupils Database, under review",
    State.CLOSED: "Closed",
}


class Outcome(StrEnum):
    RETURNED = "returned_to_school"
    LOCATED_IN_AREA = "located_in_area"
    ON_ROLL_ELSEWHERE = "on_roll_elsewhere"
    LOCATED_OUTSIDE_AREA = "located_outside_area"
    REMOVED_FROM_ROLL = "removed_from_roll"
    # Where the authority finds a child out of provision (policy 8.4), besides on roll elsewhere and outside the area
    ELECTIVE_HOME_EDUCATION = "elective_home_education"
    OTHER_PROVISION = "other_provision"
    LEFT_ENGLAND = "left_england"
    NOT_LOCATED = "not_located"  # recorded on the Lost Pupils Database: the child stays on the register

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self]


OUTCOME_LABELS = {
    Outcome.RETURNED: "Returned to school",
    Outcome.LOCATED_IN_AREA: "Located in the area (stays on roll)",
    Outcome.ON_ROLL_ELSEWHERE: "On roll at another school",
    Outcome.LOCATED_OUTSIDE_AREA: "Located outside the area",
    Outcome.REMOVED_FROM_ROLL: "Removed from roll",
    Outcome.ELECTIVE_HOME_EDUCATION: "Located: in elective home education",
    Outcome.OTHER_PROVISION: "Located: in other provision",
    Outcome.LEFT_ENGLAND: "Left England",
    Outcome.NOT_LOCATED: "Not located after the checks: on the Lost Pupils Database",
}


class Step(StrEnum):
    """What people do to a case. Each is one event in the case history."""

    RECORD_TRIAGE = "record_triage"
    LOG_ENQUIRY = "log_enquiry"
    RECORD_BREAK = "record_break"
    COMPLETE_CHECKLIST = "complete_checklist"
    CONTACT_EWS = "contact_ews"
    REVIEW_DAY_20 = "review_day_20"
    COMPLETE_CME_REFERRAL = "complete_cme_referral"
    LOCATED_OUTSIDE_AREA = "located_outside_area"
    CONFIRM_LEGAL_TESTS = "confirm_legal_tests"
    REQUEST_REMOVAL = "request_removal"
    AGREE_REMOVAL = "agree_removal"
    DECLINE_REMOVAL = "decline_removal"
    ASK_MORE_ENQUIRIES = "ask_more_enquiries"
    CONFIRM_REMOVED = "confirm_removed"
    RECORD_OUTCOME = "record_outcome"
    # The local authority's, once the school's part is closed
    RECORD_LOCATED = "record_located"
    RECORD_NOT_LOCATED = "record_not_located"
    REVIEW_NOT_LOCATED = "review_not_located"
    LINK_TO_SCHOOL = "link_to_school"  # an agency's referral, or a child added by an officer, given its school
    # Located in another authority's area (policy 8.4.2, cme/handoff.py): handed over, then accepted by it
    HAND_OFF = "hand_off"
    ACCEPT_HANDOFF = "accept_handoff"
    WITHDRAW_HANDOFF = "withdraw_handoff"  # by the sending authority, before it is accepted
    DECLINE_HANDOFF = "decline_handoff"  # by the receiving authority, with its reason


STEP_LABELS = {
    Step.RECORD_TRIAGE: "record the Day 1 risk notification",
    Step.LOG_ENQUIRY: "log an enquiry",
    Step.RECORD_BREAK: "record a break in the absence",
    Step.COMPLETE_CHECKLIST: "complete the missing pupil checklist",
    Step.CONTACT_EWS: "record that the Education Welfare Service was contacted",
    Step.REVIEW_DAY_20: "record the Day 20 review",
    Step.COMPLETE_CME_REFERRAL: "complete the CME referral",
    Step.LOCATED_OUTSIDE_AREA: "record that the pupil was located outside the area",
    Step.CONFIRM_LEGAL_TESTS: "confirm the legal tests of removal from roll",
    Step.REQUEST_REMOVAL: "request removal from roll",
    Step.AGREE_REMOVAL: "agree removal from roll",
    Step.DECLINE_REMOVAL: "decline removal from roll",
    Step.ASK_MORE_ENQUIRIES: "ask for more enquiries",
    Step.CONFIRM_REMOVED: "confirm the pupil was removed from roll",
    Step.RECORD_OUTCOME: "record an outcome",
    Step.RECORD_LOCATED: "record where the child was located",
    Step.RECORD_NOT_LOCATED: "record the child as not located, on the Lost Pupils Database",
    Step.REVIEW_NOT_LOCATED: "record a review of a child not located",
    Step.LINK_TO_SCHOOL: "link the case to a school",
    Step.HAND_OFF: "hand the child over to the authority where they live now",
    Step.ACCEPT_HANDOFF: "accept the child handed over by another authority",
    Step.WITHDRAW_HANDOFF: "withdraw the hand-off to another authority",
    Step.DECLINE_HANDOFF: "decline the child handed over by another authority",
}

# Work on an open case that does not move it along by itself.
_ENQUIRY_WORK = {
    Step.RECORD_TRIAGE: None,
    Step.RECORD_BREAK: None,
    Step.COMPLETE_CHECKLIST: None,
    Step.REVIEW_DAY_20: None,
    Step.LOCATED_OUTSIDE_AREA: State.CME_REFERRAL,
    Step.CONFIRM_LEGAL_TESTS: None,
    Step.REQUEST_REMOVAL: State.REMOVAL_REQUESTED,
    Step.RECORD_OUTCOME: State.CLOSED,
}

# state -> {step: next state, or None when the step leaves the state as it is}
TRANSITIONS: dict[State, dict[Step, State | None]] = {
    State.REPORTED: {
        **_ENQUIRY_WORK,
        Step.LOG_ENQUIRY: State.ENQUIRIES,
        Step.CONTACT_EWS: State.REFERRED_TO_EWS,
        Step.COMPLETE_CME_REFERRAL: State.CME_REFERRAL,
    },
    State.ENQUIRIES: {
        **_ENQUIRY_WORK,
        Step.LOG_ENQUIRY: None,
        Step.CONTACT_EWS: State.REFERRED_TO_EWS,
        Step.COMPLETE_CME_REFERRAL: State.CME_REFERRAL,
    },
    State.REFERRED_TO_EWS: {
        **_ENQUIRY_WORK,
        Step.LOG_ENQUIRY: None,
        Step.CONTACT_EWS: None,
        Step.COMPLETE_CME_REFERRAL: State.CME_REFERRAL,
    },
    State.CME_REFERRAL: {
        **_ENQUIRY_WORK,
        Step.LOG_ENQUIRY: None,
        Step.CONTACT_EWS: None,
        Step.COMPLETE_CME_REFERRAL: None,
        Step.LOCATED_OUTSIDE_AREA: None,
        Step.LINK_TO_SCHOOL: None,
    },
    State.REMOVAL_REQUESTED: {
        Step.AGREE_REMOVAL: State.REMOVAL_AGREED,
        Step.DECLINE_REMOVAL: State.REMOVAL_DECLINED,
        Step.ASK_MORE_ENQUIRIES: State.ENQUIRIES,
        Step.LOG_ENQUIRY: None,
        Step.RECORD_OUTCOME: State.CLOSED,
    },
    State.REMOVAL_DECLINED: {
        **_ENQUIRY_WORK,
        Step.LOG_ENQUIRY: State.ENQUIRIES,
        Step.CONTACT_EWS: None,
        Step.COMPLETE_CME_REFERRAL: None,
    },
    State.REMOVAL_AGREED: {
        Step.CONFIRM_REMOVED: State.OUT_OF_PROVISION,
        Step.RECORD_OUTCOME: State.CLOSED,
    },
    State.OUT_OF_PROVISION: {
        Step.RECORD_LOCATED: State.CLOSED,
        Step.RECORD_NOT_LOCATED: State.NOT_LOCATED,
        Step.HAND_OFF: None,
        Step.ACCEPT_HANDOFF: State.OUT_OF_PROVISION,
        Step.WITHDRAW_HANDOFF: None,
        Step.DECLINE_HANDOFF: None,
    },
    State.NOT_LOCATED: {
        Step.RECORD_LOCATED: State.CLOSED,
        Step.REVIEW_NOT_LOCATED: None,
        Step.HAND_OFF: None,
        Step.ACCEPT_HANDOFF: State.OUT_OF_PROVISION,
        Step.WITHDRAW_HANDOFF: None,
        Step.DECLINE_HANDOFF: None,
    },
    State.CLOSED: {},
}

# After removal from roll: closed for the school, still on the authority's register.
TRACKING_STATES = frozenset({State.OUT_OF_PROVISION, State.NOT_LOCATED})
# The school's part still open.
OPEN_STATES = frozenset(state for state in State if state is not State.CLOSED and state not in TRACKING_STATES)
# Every child on the authority's register: the open cases and the children out of provision.
ON_REGISTER = OPEN_STATES | TRACKING_STATES


def next_state(state: State, step: Step) -> State:
    """The state a case is in after `step`; a ProcedureError when the step is not allowed now."""
    allowed = TRANSITIONS[state]
    if step not in allowed:
        if state is State.CLOSED:
            raise ProcedureError(f"This case is closed, so you cannot {STEP_LABELS[step]}.")
        if state in TRACKING_STATES and step not in _TRACKING_STEPS:
            raise ProcedureError(f"This case is closed for the school (removed from roll), so you cannot "
                                 f"{STEP_LABELS[step]}. The local authority tracks the child now.")
        raise ProcedureError(
            f"You cannot {STEP_LABELS[step]} while the case is at '{state.label}'."
            + _what_is_possible(state)
        )
    return allowed[step] or state


_TRACKING_STEPS = frozenset({Step.RECORD_LOCATED, Step.RECORD_NOT_LOCATED, Step.REVIEW_NOT_LOCATED, Step.HAND_OFF,
                             Step.ACCEPT_HANDOFF})


def allowed_steps(state: State) -> frozenset[Step]:
    return frozenset(TRANSITIONS[state])


def _what_is_possible(state: State) -> str:
    steps = [STEP_LABELS[step] for step in TRANSITIONS[state]]
    return f" Now you can: {'; '.join(steps)}." if steps else ""
