"""Cards for shared channels: a case reference and the action needed, never a child's name or address."""

from __future__ import annotations

from cards.base import card, container, facts, text
from cards.text import user_text


def urgent_alert_card(reference: str, school_name: str, reported_by: str) -> dict:
    return card([container([
        text("Urgent: Day 1 risk triage", bold=True, color="attention"),
        text("A pupil reported missing may be at risk of harm. Children's social care and/or the police must be "
             "notified now, and the social worker at once for a child on a child protection plan or looked "
             "after. The reporter records who was notified on the case card."),
    ], style="attention"), facts([("Case", reference), ("School", user_text(school_name)), ("Reported by", user_text(reported_by))]),
        text("The case opens in a personal chat with me for the people working on it: say **case "
             f"{reference}**.", subtle=True)])


def referral_alert_card(reference: str, agency: str, what: str) -> dict:
    return card([
        text("New child missing education referral", bold=True),
        facts([("Case", reference), ("From", user_text(agency)), ("For", "the CME Pupil Tracking Officer")]),
        text(what, subtle=True),
    ])
