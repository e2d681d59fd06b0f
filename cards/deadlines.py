"""Reminder cards for a school's CME channel about a deadline (the Day 1 risk notifications, telling the
tracking officer): the case reference, the school and what to do, never the pupil's name or the risk."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cards.base import card, facts, heading, text
from cards.reminders import MAYBE_REPEAT
from cards.text import user_text
from cme.deadlines import POLICY_NOTICE, Deadline


@dataclass(frozen=True)
class DeadlineView:
    reference: str
    school_name: str
    deadline: Deadline
    due_on: date
    on_date: date
    maybe_repeat: bool = False


def _by(view: DeadlineView) -> str:
    if view.deadline.end_of_day:
        return f"by the end of {view.due_on:%A %-d %B %Y}"
    return f"by {view.due_on:%A %-d %B %Y}"


def _what(view: DeadlineView) -> str:
    if view.deadline is Deadline.RISK_NOTIFIED:
        return (f"A Day 1 risk question was answered yes, and who was notified was not recorded {_by(view)}. "
                "Notify children's social care and/or the police now, and the social worker, if it has not been "
                "done; then record who was notified, and when, on the case card.")
    late = "was to be" if view.due_on < view.on_date else "must be"
    return (f"The pupil has left and no new school has asked for their file: the CME Pupil Tracking Officer "
            f"{late} told within 10 school days of the last day attended, {_by(view)} ({POLICY_NOTICE}). "
            "Complete the missing pupil checklist and the CME referral on the case card: the referral tells them.")


def deadline_card(view: DeadlineView) -> dict:
    body = [heading(f"{view.deadline.label}: {view.reference}")]
    if view.maybe_repeat:
        body.append(text(MAYBE_REPEAT, color="warning"))
    body.append(facts([("Case", view.reference), ("School", user_text(view.school_name)),
                       ("Due", _by(view))]))
    body.append(text(_what(view), color="attention" if view.deadline is Deadline.RISK_NOTIFIED else None))
    body.append(text(f"Open the case in your personal chat with me: say **case {view.reference}**.", subtle=True))
    return card(body)
