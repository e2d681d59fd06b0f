"""The administrator's retention card and the `who opened` card: references and counts only, never a child's name."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from cards.base import LONDON, card, heading, lines, text
from cards.text import user_text
from cme.retention import RULE_LABELS

LISTED = 30


@dataclass(frozen=True)
class RetentionView:
    today: date
    rules: str  # the schedule in words
    due: tuple[tuple[str, date], ...]  # reference, kept until
    kept_without_birth_date: tuple[str, ...]
    erased_total: int
    erased: tuple[tuple[str, datetime, str, str], ...]  # reference, when, by whom, rule


def _listed(items: list[str]) -> list[str]:
    more = len(items) - LISTED
    return items[:LISTED] + ([f"and {more} more"] if more > 0 else [])


def retention_card(view: RetentionView) -> dict:
    body = [heading("Retention of children's records"),
            text(f"The schedule: {view.rules}. Open cases and children still tracked out of provision are never "
                 "erased. Each month the bot erases what is due down to a tombstone (reference, school, dates, "
                 "outcome, who erased it and when).", subtle=True),
            text(f"Due for erasure at the next monthly run: {len(view.due)}", bold=True)]
    if view.due:
        body.append(lines(_listed([f"{ref} (kept until {until:%-d %B %Y})" for ref, until in view.due]), subtle=True))
    if view.kept_without_birth_date:
        body += [text(f"Kept, child protection information without a date of birth: "
                      f"{len(view.kept_without_birth_date)}", bold=True),
                 text("Correct the date of birth on the case card so the 25th birthday can be counted.", subtle=True),
                 lines(_listed(list(view.kept_without_birth_date)), subtle=True)]
    body.append(text(f"Erased: {view.erased_total}", bold=True))
    if view.erased:
        body.append(lines(_listed([f"{ref}: {at.astimezone(LONDON):%-d %B %Y} by {user_text(by)} "
                                   f"({RULE_LABELS.get(rule, rule)})" for ref, at, by, rule in view.erased]),
                          subtle=True))
    body.append(text(f"As of {view.today:%A %-d %B %Y}.", subtle=True))
    return card(body)


def opened_card(reference: str, opened: tuple) -> dict:
    """Who opened a case card: (when, who, role, from where), newest first."""
    body = [heading(f"Who opened {reference}")]
    if not opened:
        body.append(text("Nobody has opened this case card since openings were recorded."))
    else:
        body.append(lines((f"{at.astimezone(LONDON):%-d %b %Y %H:%M} {user_text(who)} ({role}), {where}"
                           for at, who, role, where in opened), subtle=True))
    return card(body)
