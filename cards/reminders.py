"""Reminder cards for a school's CME channel: reference, school, Day N and the action, never a name."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cards.base import card, container, facts, heading, lines, show_card, text
from cards.base import execute as button
from cards.removal import legal_tests_inputs
from cards.text import user_text
from cme.deadlines import Deadline, Due
from cme.milestones import Milestone

MAYBE_REPEAT = "This reminder may be a repeat: the first attempt's delivery could not be confirmed."


@dataclass(frozen=True)
class ReminderView:
    reference: str
    school_name: str
    milestone: Milestone
    day: int
    due_on: date
    on_date: date
    done: list[tuple[str, str]]
    outstanding: list[str]
    closed: str | None = None
    removal_requestable: bool = False
    maybe_repeat: bool = False

    @property
    def late(self) -> bool:
        return self.due_on < self.on_date


def reminder_card(view: ReminderView) -> dict:
    body = [heading(f"{view.milestone.label}: {view.reference}")]
    if view.maybe_repeat:
        body.append(text(MAYBE_REPEAT, color="warning"))
    if view.late:
        body.append(text(f"Late: this was due on {view.due_on:%A %-d %B %Y}.", color="warning", bold=True))
    body.append(facts([("Case", view.reference), ("School", user_text(view.school_name)),
                       ("Continuous absence", f"Day {view.day} (school days)")]))
    body.append(text(view.milestone.action[0].upper() + view.milestone.action[1:] + "."))
    if view.done:
        body.append(lines((f"✅ {what}: {when}" for what, when in view.done), color="good"))
    ref, milestone = view.reference, view.milestone.value
    removal = [show_card("Request removal from roll", legal_tests_inputs(), [
        button("Send the request", "reminder.removal", case=ref, milestone=milestone)])] \
        if view.removal_requestable else []
    if view.closed:
        body.append(container([text(view.closed, bold=True)], style="good"))
        return card(body, removal)
    body.append(text("The case with the pupil's details opens in your personal chat with me.", subtle=True))
    actions = []
    if view.milestone is Milestone.DAY_5:
        if "ews" in view.outstanding:
            actions.append(button("EWS contacted", "reminder.ews", case=ref, milestone=milestone))
        if "checklist" in view.outstanding:
            actions.append(button("Open checklist", "reminder.checklist.open", case=ref, milestone=milestone))
    else:
        if "review" in view.outstanding:
            actions.append(button("Day 20 review done", "reminder.day20", case=ref, milestone=milestone))
        if "referral" in view.outstanding:
            actions.append(button("Complete CME referral", "reminder.referral", case=ref, milestone=milestone))
    actions += removal
    actions.append(button("Open case in my chat", "reminder.open", case=ref, milestone=milestone))
    return card(body, actions)


@dataclass(frozen=True)
class DigestLine:
    reference: str
    school_name: str
    day: int
    overdue: list[tuple[Due, date]]


def _overdue(kind: Due, due: date) -> str:
    what = {Milestone.DAY_5: "EWS and checklist", Milestone.DAY_20: "review and CME referral",
            Deadline.RISK_NOTIFIED: "who was notified, not recorded", Deadline.OFFICER_TOLD: "CME referral"}[kind]
    return f"{kind.label} ({what}) since {due:%-d %b}"


def digest_card(on_date: date, lines: list[DigestLine], limit: int = 40, *, maybe_repeat: bool = False) -> dict:
    body = [heading(f"Overdue on {on_date:%A %-d %B}: {len(lines)} case{'s' if len(lines) != 1 else ''}"),
            text("Milestones passed without their action recorded. Open a case in your personal chat with "
                 "**case CME-…**.", subtle=True)]
    if maybe_repeat:
        body.append(text(MAYBE_REPEAT, color="warning"))
    for line in lines[:limit]:
        what = "; ".join(_overdue(m, due) for m, due in line.overdue)
        body.append(text(f"**{line.reference}** · {user_text(line.school_name)} · Day {line.day} · {what}"))
    if len(lines) > limit:
        body.append(text(f"…and {len(lines) - limit} more: say **my cases** in your personal chat.", subtle=True))
    return card(body)
