"""The case card: for people with a role on the case, in a personal chat. It names the pupil."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from adaptive_cards import card as ac

from cards.base import (
    LONDON,
    Built,
    action_set,
    built,
    bullets,
    card,
    choices,
    container,
    facts,
    heading,
    lines,
    show_card,
    submit,
    text,
)
from cards.history import describe
from cards.out_of_provision import LinkView, TrackingView, link_section, tracking_section
from cards.removal import legal_tests_inputs
from cards.text import user_text
from cme.at_risk import AT_RISK_GROUPS, MISSING_REASONS, group_labels, reason_label
from cme.case import Case
from cme.casework import NOTIFIED
from cme.census import sex_label
from cme.checklist import ENQUIRY_KINDS, ticked
from cme.deadlines import POLICY_NOTICE, Deadline, looked_after_contradiction
from cme.lifecycle import Outcome, State
from cme.milestones import BreakKind, Milestone
from cme.rectification import FIELDS as CORRECTABLE
from cme.removal import AGREEMENT_DAY, LAW

OUTCOME_CHOICES = (Outcome.RETURNED, Outcome.LOCATED_IN_AREA, Outcome.ON_ROLL_ELSEWHERE, Outcome.LOCATED_OUTSIDE_AREA)
_NOTIFIED = choices((label, key) for key, label in NOTIFIED)
_ENQUIRY_KINDS = choices((label, key) for key, label in ENQUIRY_KINDS)
_BREAK_KINDS = choices((kind.label.capitalize(), kind.value) for kind in BreakKind)
_OUTCOMES = choices((outcome.label, outcome.value) for outcome in OUTCOME_CHOICES)
_AT_RISK_GROUPS = choices((label, key) for key, label in AT_RISK_GROUPS)
_MISSING_REASONS = choices((label, key) for key, label in MISSING_REASONS)
_CORRECTABLE = choices((label.capitalize(), key) for key, label in CORRECTABLE.items())


@dataclass(frozen=True)
class CaseView:
    case: Case
    school_name: str
    day: int
    due: dict[Milestone, date | None]  # None: past the term dates, not known yet
    overdue: list[Milestone]
    today: date
    key: str
    can_work: bool = True
    can_request_removal: bool = False
    history: list[tuple[datetime, str, str, dict]] = field(default_factory=list)
    notice: str | None = None
    problem: str | None = None
    counted_until: date | None = None  # the term dates' last date, when today is past it: `day` is the count then
    not_known: str = ""  # why a date past the term dates is not known
    earliest_off_roll: date | None = None
    deadlines: dict[Deadline, date | None] = field(default_factory=dict)  # None: past the term dates
    tracking: TrackingView | None = None  # an officer's, while the child is out of provision
    for_officer: bool = False  # an officer of the case's authority: sees the authority's outcome
    link: LinkView | None = None  # the tracking officer's, while the case has no school
    erased: bool = False  # erased at the end of retention: a tombstone, nothing to correct
    opened: tuple[str, tuple] | None = None  # who opened the case card: (title, (when, who, role, from where)...)

    @property
    def next_milestone(self) -> tuple[Milestone, date | None] | None:
        for milestone, due in self.due.items():
            if (due is None or due >= self.today) and not self.case.milestone_done(milestone):
                return milestone, due
        return None


def _day_line(view: CaseView) -> str:
    case = view.case
    if not case.is_open:
        if case.ctf_sent_on and not view.for_officer:
            return f"Closed for your school: removed from roll on {case.off_roll_date:%-d %B %Y}"
        if case.state is not State.CLOSED:
            return case.state.label
        return f"Closed: {case.outcome.label if case.outcome else case.state.label}"
    line = f"Day {view.day} of 20 of continuous absence" if view.day <= 20 else \
        f"Day {view.day} of continuous absence (past Day 20)"
    if view.counted_until:
        line += (f" on {view.counted_until:%A %-d %B %Y}, the last date the term dates cover; today's count is "
                 f"not known yet: {view.not_known}")
    if case.run_start != case.first_day_absent:
        line += f" (the count restarted on {case.run_start:%A %-d %B} after a break)"
    return line


def _milestone_line(view: CaseView) -> str:
    if not view.case.is_open:
        return ""
    upcoming = view.next_milestone
    if upcoming:
        milestone, due = upcoming
        if due is None:
            return f"Next: {milestone.label}, on a date not known yet: {view.not_known}."
        when = "today" if due == view.today else f"on {due:%A %-d %B %Y}"
        return f"Next: {milestone.label} {when}: {milestone.action}."
    return _after_day_20(view.case)


def _after_day_20(case) -> str:
    """What is due once Day 20 has come: the review and CME referral, then removal from roll."""
    if case.removal_requested_on:
        return "Removal from roll requested: waiting for the CME Pupil Tracking Officer's decision."
    if case.day20_review_on and case.cme_referral_on:
        return "Day 20 review and CME referral done: removal from roll may now be requested."
    return "Day 20 has passed: the CME referral and a decision on removal from roll are due."


def _urgent(view: CaseView) -> list:
    case = view.case
    if not case.risk.at_risk or not case.is_open:
        return []
    steps = ["Notify children's social care and/or the police **now**: the child may be at risk of harm."]
    if case.risk.child_protection_plan or case.risk.looked_after:
        why = "on a child protection plan" if case.risk.child_protection_plan else "looked after"
        steps.append(f"The child is {why}: tell their **social worker at once**.")
    steps.append("This does not replace your child protection procedures: follow them too.")
    items = [text("Day 1 risk: act now", bold=True, color="attention"), bullets(steps)]
    if case.triage_outstanding:
        due = view.deadlines.get(Deadline.RISK_NOTIFIED)
        if due and due < view.today:
            items.append(text(f"Overdue: who was notified was to be recorded by the end of {due:%A %-d %B}. It is "
                              "in the school's reminders until it is.", bold=True, color="attention"))
        items.append(text("Then record who was notified and when:", bold=True))
        items.append(action_set([_triage_action(view)]))
    else:
        items.append(text(f"Notification recorded on {case.triage_recorded_on:%-d %B %Y}.", subtle=True))
    return [container(items, style="attention")]


# The forms' inputs are the same on every case card: built once (cards/base.py, Built).
_TRIAGE_INPUTS = built(
    ac.InputChoiceSet(id="notified", label="Who was notified", is_multi_select=True, style="expanded",
                      is_required=True, error_message="Tick who was notified.", choices=list(_NOTIFIED)),
    ac.InputText(id="when", label="When (date and time)", is_required=True,
                 placeholder="e.g. 16 November 10:40", error_message="Say when."),
    ac.InputText(id="details", label="Names, reference numbers, advice given", is_multiline=True),
)
_ENQUIRY_INPUTS = built(
    ac.InputChoiceSet(id="kind", label="Kind of enquiry", is_required=True, error_message="Choose one.",
                      choices=list(_ENQUIRY_KINDS)),
    ac.InputText(id="outcome", label="What it found", is_required=True, error_message="Say what it found."),
    ac.InputText(id="note", label="Note", is_multiline=True),
)
_BREAK_INPUTS = built(
    text("An attended day, or an absence with authority (illness, an unavoidable cause), breaks the "
         "continuous absence: the count restarts from the next school day.", subtle=True),
    ac.InputChoiceSet(id="break_kind", label="What happened", is_required=True, style="expanded",
                      error_message="Choose one.", choices=list(_BREAK_KINDS)),
)
_OUTCOME_INPUTS = built(
    ac.InputChoiceSet(id="outcome", label="Outcome", is_required=True, error_message="Choose one.",
                      choices=list(_OUTCOMES)),
    ac.InputText(id="new_school", label="New school (if on roll at another school)"),
    ac.InputDate(id="start_date", label="Started there on"),
    ac.InputText(id="forwarding_address", label="Forwarding address (if located outside the area)",
                 is_multiline=True),
)
_RISK_GROUPS_INPUT, _REASON_INPUT = built(
    ac.InputChoiceSet(id="risk_groups", label="At-risk groups that apply (policy 6.2)", is_multi_select=True,
                      choices=list(_AT_RISK_GROUPS)),
    ac.InputChoiceSet(id="reason", label="Why the child is missing education (policy 6.3)", is_required=True,
                      error_message="Choose one.", choices=list(_MISSING_REASONS)),
)
_CORRECT_INPUTS = built(
    text("The correction is recorded in the history with who made it, when and why; the history itself is never "
         "edited.", subtle=True),
    ac.InputChoiceSet(id="field", label="Which detail is wrong", is_required=True, error_message="Choose one.",
                      choices=list(_CORRECTABLE)),
    ac.InputText(id="value", label="The correct value (a date as 2015-03-14)", is_required=True,
                 error_message="Give the correct value."),
    ac.InputText(id="reason", label="Why it was wrong", is_required=True, is_multiline=True,
                 error_message="Say why it was wrong."),
)


def _triage_action(view: CaseView):
    return show_card("Record who was notified", _TRIAGE_INPUTS,
                     [submit("Save", "case.triage", case=view.case.reference, key=view.key)])


def _enquiry_action(view: CaseView):
    return show_card("Log enquiry", _ENQUIRY_INPUTS,
                     [submit("Save enquiry", "case.enquiry", case=view.case.reference, key=view.key)])


def _break_action(view: CaseView):
    return show_card("Record a break", [
        *_BREAK_INPUTS,
        ac.InputDate(id="break_on", label="On", is_required=True, max=view.today.isoformat(),
                     error_message="Give the date."),
    ], [submit("Save break", "case.break", case=view.case.reference, key=view.key)])


def _outcome_action(view: CaseView):
    return show_card("Record outcome", _OUTCOME_INPUTS,
                     [submit("Save outcome", "case.outcome", case=view.case.reference, key=view.key)])


def _at_risk_action(view: CaseView):
    """The groups (policy 6.2) and reason (policy 6.3) as recorded, to change: each change is in the history."""
    case = view.case
    groups = Built({**_RISK_GROUPS_INPUT, "value": ",".join(case.risk_groups)}) if case.risk_groups \
        else _RISK_GROUPS_INPUT
    return show_card("At-risk groups and reason", [groups, Built({**_REASON_INPUT, "value": case.reason or "unknown"})],
                     [submit("Save groups and reason", "case.atrisk", case=case.reference, key=view.key)])


def _correct_action(view: CaseView):
    """A wrong detail of the child put right: recorded in the history with its reason (UK GDPR article 16)."""
    return show_card("Correct a detail", _CORRECT_INPUTS,
                     [submit("Save correction", "case.correct", case=view.case.reference, key=view.key)])


def _note_action(title: str, verb: str, label: str, view: CaseView):
    return show_card(title, [ac.InputText(id="note", label=label, is_multiline=True)],
                     [submit("Save", verb, case=view.case.reference, key=view.key)])


def _milestone_actions(view: CaseView) -> list:
    case, actions = view.case, []
    if case.state in (State.CLOSED, State.REMOVAL_REQUESTED, State.REMOVAL_AGREED):
        return []
    notice = Deadline.OFFICER_TOLD in view.deadlines
    if view.day >= 5 or case.ews_contacted_on or case.checklist_completed_on or notice:
        if not case.ews_contacted_on:
            actions.append(_note_action("EWS contacted", "case.ews", "Who at EWS, and what was agreed", view))
        if not case.checklist_completed_on:
            actions.append(submit("Missing pupil checklist", "case.checklist.open", case=case.reference))
    if notice and view.day < 20 and not case.cme_referral_on:
        actions.append(_note_action("Complete CME referral", "case.referral", "Note for the tracking officer", view))
    if view.day >= 20:
        if view.can_request_removal:
            actions.append(show_card("Request removal from roll", [
                text("The request goes to the CME Pupil Tracking Officer, who agrees or declines it. The name is "
                     "deleted only after agreement; the off-roll date is the date of agreement, a school day no "
                     f"earlier than Day {AGREEMENT_DAY}, when twenty whole school days of absence are complete "
                     f"({LAW}).", subtle=True),
                *legal_tests_inputs(),
            ], [submit("Send the request", "case.removal.request", case=case.reference, key=view.key)]))
        if not case.day20_review_on:
            actions.append(_note_action("Day 20 review", "case.day20", "The review with EWS", view))
        if not case.cme_referral_on:
            actions.append(_note_action("Complete CME referral", "case.referral", "Note for the tracking officer",
                                        view))
    return actions


def _removal(view: CaseView) -> list:
    case = view.case
    if case.state is State.REMOVAL_REQUESTED:
        return [text(f"Removal from roll requested on {case.removal_requested_on:%-d %B %Y}: waiting for the CME "
                     "Pupil Tracking Officer's decision.", color="warning")]
    if case.state is State.REMOVAL_AGREED:
        return [container([text(f"Removal from roll agreed. Off-roll date: {case.off_roll_date:%-d %B %Y} "
                                 "(the date of agreement). The next steps and **Confirm removed** are on the "
                                 "removal card in this chat.", bold=True)], style="good")]
    if case.outcome is Outcome.REMOVED_FROM_ROLL and case.off_roll_date:
        return [text(f"Removed from roll; off-roll date {case.off_roll_date:%-d %B %Y}.")]
    return []


def _header(view: CaseView) -> list:
    items = [heading(f"{view.case.reference}: {user_text(view.case.pupil.full_name)}")]
    if view.problem:
        items.append(text(view.problem, color="attention", bold=True))
    if view.notice:
        items.append(text(view.notice, color="good", bold=True))
    return items


def _where_it_stands(view: CaseView) -> list:
    """Day N, the next milestone and what is overdue."""
    items = [text(_day_line(view), bold=True, color="attention" if view.overdue else None)]
    milestone_line = _milestone_line(view)
    if milestone_line:
        items.append(text(milestone_line))
    items += [text(f"Overdue: {milestone.label} was {view.due[milestone]:%A %-d %B}: {milestone.action}.",
                   color="attention") for milestone in view.overdue]
    return items + _officer_told(view) + _earliest_off_roll(view)


def _officer_told(view: CaseView) -> list:
    """The 1 to 10 day notice to the tracking officer of a pupil who has left (policy 8.4.1)."""
    case = view.case
    if Deadline.OFFICER_TOLD not in view.deadlines or not case.is_open:
        return []
    if case.cme_referral_on:
        return [text(f"CME Pupil Tracking Officer told: CME referral on {case.cme_referral_on:%-d %B %Y} "
                     f"({POLICY_NOTICE}).", subtle=True)]
    due = view.deadlines[Deadline.OFFICER_TOLD]
    when = f"by {due:%A %-d %B %Y}" if due else f"by a date not known yet ({view.not_known})"
    late = due is not None and due < view.today
    return [text(f"{'Overdue: notify' if late else 'Notify'} the CME Pupil Tracking Officer {when}: the pupil has left "
                 "and no new school has asked for their file, so they are told within 10 school days of the last "
                 f"day attended ({POLICY_NOTICE}). Complete the missing pupil checklist and the CME referral: the "
                 "referral tells them.", color="attention" if late else "warning")]


def _looked_after_question(view: CaseView) -> list:
    if not (view.case.is_open and looked_after_contradiction(view.case)):
        return []
    return [text("Which is right? The at-risk groups say **child looked after**, but the Day 1 answer says the child "
                 "is not looked after. If the child is looked after, tell their social worker and children's social "
                 "care at once; tell the CME Pupil Tracking Officer which is right, so the record is corrected.",
                 color="attention", bold=True)]


def _earliest_off_roll(view: CaseView) -> list:
    if view.case.state in (State.CLOSED, State.REMOVAL_AGREED):
        return []
    when = f"{view.earliest_off_roll:%A %-d %B %Y}" if view.earliest_off_roll else f"not known yet: {view.not_known}"
    return [text(f"Earliest off-roll date, if removal from roll is agreed: {when} (Day {AGREEMENT_DAY} at the "
                 "earliest, never back-dated).", subtle=True)]


def _on_date(day: date | None, before: str = "") -> str:
    return f"{before}{day:%-d %B %Y}" if day else "not yet"


def _facts(view: CaseView):
    case, pupil = view.case, view.case.pupil
    return facts([
        ("School", user_text(view.school_name)),
        ("State", case.state.label),
        ("First day of absence", f"{case.first_day_absent:%A %-d %B %Y}"),
        ("Date of birth", f"{pupil.date_of_birth:%-d %B %Y}" if pupil.date_of_birth else ""),
        ("Sex", sex_label(case.sex)),
        ("Year group", user_text(pupil.year_group)),
        ("Address", user_text(", ".join(p for p in (pupil.address, pupil.postcode) if p))),
        ("Parents or carers", user_text("; ".join(f"{c.name} {c.phone}".strip() for c in pupil.carers))),
        ("At-risk groups", user_text(", ".join(group_labels(case.risk_groups))) or "None recorded"),
        ("Why missing", user_text(reason_label(case.reason))),
        ("EWS contacted", _on_date(case.ews_contacted_on)),
        ("Checklist", _on_date(case.checklist_completed_on, "completed ")),
    ])


def _breaks_and_enquiries(view: CaseView) -> list:
    case, items = view.case, []
    if case.breaks:
        items.append(text("Breaks: " + "; ".join(f"{b.kind.label} on {b.on:%-d %B}" for b in case.breaks),
                          subtle=True))
    if case.is_open:
        items.append(text("Enquiries, Days 1 to 5", bold=True))
        items.append(lines(f"{'✅' if done else '⬜'} {item}" for item, done in ticked(case.enquiry_kinds)))
    return items


def _history(view: CaseView) -> list:
    if not view.history:
        return []
    return [text("History", bold=True),
            lines((f"{at.astimezone(LONDON):%-d %b %H:%M} {user_text(who)}: {describe(kind, data)}"
                   for at, who, kind, data in view.history[-6:]), subtle=True)]


def _opened(view: CaseView) -> list:
    """Who opened the case card (bot/views/case_views.py decides who sees which openings)."""
    if not view.opened or not view.opened[1]:
        return []
    title, opened = view.opened
    return [text(title, bold=True),
            lines((f"{at.astimezone(LONDON):%-d %b %H:%M} {user_text(who)} ({role}), {where}"
                   for at, who, role, where in opened), subtle=True)]


def _work(view: CaseView) -> tuple[list, list]:
    """What the reader can do: the milestones' buttons in the card, and its actions below."""
    if not view.can_work:
        return [], []
    if not view.case.is_open:
        return [], ([] if view.erased else [_correct_action(view)])
    milestone_actions = _milestone_actions(view)
    actions = [] if view.case.state is State.REMOVAL_AGREED else [_enquiry_action(view), _break_action(view)]
    return ([action_set(milestone_actions)] if milestone_actions else []), actions + [_at_risk_action(view),
                                                                                    _outcome_action(view),
                                                                                    _correct_action(view)]


def case_card(view: CaseView) -> dict:
    buttons, actions = _work(view)
    body = [*_header(view), *_urgent(view), *_looked_after_question(view), *_where_it_stands(view), *_removal(view), _facts(view),
            *_breaks_and_enquiries(view), *_history(view), *_opened(view), *buttons,
            *(tracking_section(view.tracking) if view.tracking else []), *(link_section(view.link) if view.link else [])]
    return card(body, actions)
