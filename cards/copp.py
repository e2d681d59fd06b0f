"""The COPP panel's cards: the nameless digest for the authority's channel, the named pack for a tracking officer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from cards.base import card, facts, heading, lines, text
from cards.reminders import MAYBE_REPEAT
from cards.text import user_text
from cme.copp import PanelCase, PanelFigures, weeks_missing

LIMIT = 40  # lines a list shows before "…and N more", well inside Teams' 28 KB card


@dataclass(frozen=True)
class PanelView:
    authority: str
    figures: PanelFigures
    at: time
    next_day: date | None = None
    late_since: date | None = None  # posted after its day (the bot was down): the day it should have been
    maybe_repeat: bool = False
    on_demand: bool = False
    day: date | None = None  # the sitting's day, when not the day of the figures


def _title(view: PanelView, what: str) -> str:
    return f"{what}: {user_text(view.authority)}, {view.day or view.figures.on:%A %-d %B %Y}"


def _preamble(view: PanelView) -> list:
    body = []
    if view.maybe_repeat:
        body.append(text(MAYBE_REPEAT, color="warning"))
    if view.late_since:
        body.append(text(f"Late: the panel was on {view.late_since:%A %-d %B %Y} at {view.at:%H:%M}; the bot could "
                         "not post it then. The figures are as they are now.", color="warning", bold=True))
    figures, counts = view.figures, view.figures.counts
    pairs = [("Children without provision", str(counts.open)),
             (f"New since {figures.since:%-d %B}", str(counts.new)),
             (f"Located since {figures.since:%-d %B}", str(counts.located)),
             ("With an overdue action", str(counts.overdue))]
    pairs += [(user_text(stage), str(count)) for stage, count in figures.by_stage]
    if view.next_day:
        pairs.append(("Next panel", f"{view.next_day:%A %-d %B %Y} at {view.at:%H:%M}"))
    return body + [facts(pairs)]


def _section(title: str, values: list[str], counted: int) -> list:
    """The first LIMIT lines of a list of `counted`, then how many more there are."""
    if not values:
        return []
    body = [text(title, bold=True), lines(values[:LIMIT])]
    hidden = max(counted - min(len(values), LIMIT), 0)
    if hidden:
        body.append(text(f"…and {hidden} more.", subtle=True))
    return body


def _overdue(case: PanelCase) -> str:
    return ", ".join(case.overdue)


def copp_digest_card(view: PanelView) -> dict:
    """References and counts only: no name, school or address reaches the channel."""
    figures, counts = view.figures, view.figures.counts
    body = [heading(_title(view, "Children Out of Provision Panel"))] + _preamble(view)
    longest = figures.longest
    body += _section("Longest missing", [f"**{case.reference}** · {weeks} week{'s' if weeks != 1 else ''}"
                                         for case, weeks in longest], len(longest))
    body += _section("New since the last panel", [f"**{case.reference}**" for case in figures.new], counts.new)
    body += _section("Located since the last panel", [f"**{case.reference}**" for case in figures.located],
                     counts.located)
    body += _section("Overdue actions", [f"**{case.reference}** · {_overdue(case)}" for case in figures.overdue],
                     counts.overdue)
    body.append(text("Each CME Pupil Tracking Officer has the named panel pack in their personal chat with me "
                     "(say **copp** there).", subtle=True))
    return card(body)


def _line(case: PanelCase, on: date) -> str:
    weeks = weeks_missing(case, on)
    parts = [f"**{case.reference}**", user_text(case.name), user_text(case.school), user_text(case.stage),
             f"{weeks} week{'s' if weeks != 1 else ''} missing"]
    if case.overdue:
        parts.append(f"⚠ overdue: {_overdue(case)}")
    return " · ".join(parts)


def copp_pack_card(view: PanelView) -> dict:
    """The named pack, for a tracking officer's personal chat only."""
    figures, counts, on = view.figures, view.figures.counts, view.figures.on
    what = "COPP panel pack (as of today)" if view.on_demand else "COPP panel pack"
    body = [heading(_title(view, what))] + _preamble(view)
    body += _section("Children without provision, longest missing first", [_line(case, on) for case in figures.open],
                     counts.open)
    body += _section("New since the last panel", [_line(case, on) for case in figures.new_on_register],
                     counts.new_on_register)
    body += _section("Located since the last panel",
                     [f"**{case.reference}** · {user_text(case.name)} · {user_text(case.outcome_label)} "
                      f"({case.closed_on:%-d %B})" for case in figures.located], counts.located)
    if not counts.open and not counts.located:
        body.append(text("No child is on the authority's register."))
    return card(body)
