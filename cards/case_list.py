"""`my cases`: the open cases a person works on, most urgent first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from adaptive_cards import card as ac

from cards.base import card, heading, submit, text
from cards.text import user_text
from cme.milestones import Milestone
from cme.paging import COUNTED, open_cases_text

PAGE = 20


@dataclass(frozen=True)
class CaseLine:
    reference: str
    pupil_name: str
    school_name: str
    day: int
    next_milestone: tuple[Milestone, date | None] | None  # a date of None: not known yet
    overdue: tuple[Milestone, ...]
    state_label: str
    counted_until: date | None = None  # the term dates' last date, when today is past it
    not_known: str = ""  # why a count or a date is not known yet, when one is not


def _day(line: CaseLine) -> str:
    if line.counted_until is None:
        return f"Day {line.day}"
    return f"Day {line.day} on {line.counted_until:%a %-d %b}, not known since"


def _upcoming(line: CaseLine) -> str:
    if line.next_milestone is None:
        return line.state_label
    milestone, due = line.next_milestone
    return f"next: {milestone.label} on {due:%a %-d %b}" if due else f"next: {milestone.label}, date not known yet"


def case_list_card(title: str, lines: list[CaseLine], total: int, offset: int = 0) -> dict:
    body = [heading(user_text(title))]  # it names the schools
    if not lines:
        body.append(text("No open cases."))
        return card(body)
    body.append(text(f"{open_cases_text(total)}, overdue and longest absent first."
                     + (f" Showing {offset + 1} to {offset + len(lines)}." if total > len(lines) else ""),
                     subtle=True))
    for line in lines:
        overdue = "; ".join(f"⚠ {m.label} overdue" for m in line.overdue)
        row = ac.ColumnSet(columns=[
            ac.Column(width="stretch", items=[
                text(f"**{line.reference}** {user_text(line.pupil_name)}"),
                text(f"{user_text(line.school_name)} · {_day(line)} · {_upcoming(line)}", subtle=True),
            ] + ([text(overdue, color="attention")] if overdue else [])
              + ([text(f"Not known yet: {line.not_known}.", color="warning")] if line.not_known else [])),
            ac.Column(width="auto", vertical_content_alignment="center", items=[
                ac.ActionSet(actions=[submit("Open", "case.open", case=line.reference)])]),
        ], separator=True)
        body.append(row)
    actions = []
    if offset + len(lines) < total or (total > COUNTED and len(lines) == PAGE):  # counted up to COUNTED only
        actions.append(submit("Show more", "cases.more", offset=offset + PAGE))
    return card(body, actions)
