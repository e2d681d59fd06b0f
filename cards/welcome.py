"""The first card in a personal chat or a team, and the help card."""

from __future__ import annotations

from collections.abc import Sequence

from cards.base import bullets, card, execute, heading, submit, text
from cards.text import user_text
from cme.law import SAY_LAW

APP_NAME = "CME Tracker"

WHAT_IT_DOES = (
    "I help schools and the local authority run the Children Missing Education procedure: Day 1 risk "
    "triage, enquiries, Day 5 contact with the Education Welfare Service and the missing pupil checklist, "
    "the Day 20 review and CME referral, and removal from roll agreed with the CME Pupil Tracking Officer. "
    "Every day counted is a school day."
)


def personal_welcome(first_name: str, commands: Sequence[tuple[str, str]], can_report: bool) -> dict:
    body = [
        heading(f"Hello {user_text(first_name)}, I am {APP_NAME}" if first_name else f"Hello, I am {APP_NAME}"),
        text(WHAT_IT_DOES),
    ]
    if can_report:
        body.append(text("To report a pupil who is missing, say **report** or press the button below."))
    body.append(text("Say **help** at any time to see what I can do for you.", subtle=True))
    actions = [submit("Report a missing pupil", "report.open")] if can_report else []
    return card(body, actions + [submit("Help", "help")])


def team_welcome() -> dict:
    return card([
        heading(f"{APP_NAME} has joined this team"),
        text(WHAT_IT_DOES),
        text("I post reminders here on school days when a case reaches Day 5 or Day 20, and an overdue "
             "digest while actions are outstanding. Channel cards carry the case reference and the action "
             "only, never a child's name or address: the full case opens in a personal chat for the people "
             "working on it."),
        text("An administrator or the school's lead chooses the channel: mention me in it and say "
             "**set reminders channel**. Administrators give people their roles with the button below.",
             subtle=True),
    ], [execute("People and roles (administrators)", "admin.open")])


def help_card(commands: Sequence[tuple[str, str]], roles: Sequence[str], can_report: bool) -> dict:
    body = [heading(f"What {APP_NAME} can do for you")]
    if roles:
        body.append(text("Your roles: " + "; ".join(user_text(role) for role in roles), subtle=True))  # with school names
    body.append(bullets(f"**{command}**: {meaning}" for command, meaning in commands))
    body.append(text("The CME policy still cites some law since replaced. " + SAY_LAW, subtle=True))
    actions = [submit("Report a missing pupil", "report.open")] if can_report else []
    return card(body, actions)


def no_role_card(admins: Sequence[str]) -> dict:
    who = ", ".join(user_text(admin) for admin in admins) if admins else "your local authority's CME administrator"
    return card([
        heading(f"You do not have a role in {APP_NAME} yet"),
        text("Only school staff, Education Welfare Service officers, the CME Pupil Tracking Officer, "
             "referring agencies and administrators can use this app, because it holds children's records."),
        text(f"Please ask {who} to give you a role. Nothing else is available until then."),
    ])
