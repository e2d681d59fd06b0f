"""The administrator's card: people and their roles, picked from the team's members, and the schools."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from adaptive_cards import card as ac

from cards.base import LONDON, card, container, heading, lines, show_card, text
from cards.base import execute as button
from cards.text import user_text
from cme.roles import Role


@dataclass(frozen=True)
class AdminView:
    people: list[tuple[str, str, list[tuple[Role, int | None, str]]]]  # aad id, name, (role, school id, label)
    members: list[tuple[str, str]]  # aad id, name: the members of the team or chat, to pick from
    schools: list[tuple[int, str, str]]  # id, URN, name
    recent: list[tuple[datetime, str, str]]  # when, who, what
    key: str
    notice: str | None = None
    problem: str | None = None
    unsent_reminders: tuple[str, ...] = ()  # "CME-2026-0042 Day 5 (uncertain)": case references only
    unsent_panel: tuple[str, ...] = ()  # "Northfield Council: the COPP digest of 16 November 2026 (not posted)"
    term_dates_ending: tuple[str, ...] = ()  # the warnings of bot/calendars.py: case references only


def _grant_label(role: Role, school: str) -> str:
    return f"{role.label} ({school})" if school else role.label


def admin_card(view: AdminView) -> dict:
    body = [heading("People, roles and schools")]
    if view.problem:
        body.append(container([text(view.problem, color="attention", bold=True)], style="attention"))
    if view.notice:
        body.append(text(view.notice, color="good", bold=True))
    body += [text(warning, color="warning") for warning in view.term_dates_ending]
    for what, unsent in (("Reminders", view.unsent_reminders), ("COPP panel posts", view.unsent_panel)):
        if unsent:
            more = len(unsent) - 20
            body.append(text(f"{what} not confirmed posted (the next run posts them): "
                             + ", ".join(unsent[:20]) + (f" and {more} more" if more > 0 else ""), color="warning"))
    body.append(text("Roles decide who sees which cases: school staff see their school's cases; EWS officers "
                     "and tracking officers see every case; agency referrers see what they referred.", subtle=True))
    body.append(lines([f"**{user_text(name)}**: "
                       f"{', '.join(user_text(_grant_label(r, s)) for r, _i, s in grants) or 'no role'}"
                       for _aad, name, grants in view.people] or ["Nobody has a role yet."]))
    if view.recent:
        body.append(text("Recent changes", bold=True))
        body.append(lines([f"{at.astimezone(LONDON):%-d %b %H:%M} {user_text(who)}: {user_text(what)}"
                           for at, who, what in view.recent],
                          subtle=True))
    members = [ac.InputChoice(title=name, value=aad) for aad, name in view.members]
    schools = [ac.InputChoice(title=f"{name} ({urn})", value=str(school_id)) for school_id, urn, name in view.schools]
    roles = [ac.InputChoice(title=role.label, value=role.value) for role in Role]
    add = show_card("Give a role", [
        ac.InputChoiceSet(id="person", label="Person (members of this team or chat)", choices=members,
                          is_required=True, error_message="Choose the person.", style="filtered")
        if members else text("I could not list this team's members: add the app to the team first.",
                             color="warning"),
        ac.InputChoiceSet(id="role", label="Role", choices=roles, is_required=True, error_message="Choose a role."),
        ac.InputChoiceSet(id="school", label="School (for school staff)", choices=schools),
    ], [button("Give the role", "admin.grant", key=view.key)])
    grants = [ac.InputChoice(title=f"{name}: {_grant_label(role, school)}",
                             value=f"{aad}|{role.value}|{school_id or ''}")
              for aad, name, person_grants in view.people for role, school_id, school in person_grants]
    remove = show_card("Remove a role", [
        ac.InputChoiceSet(id="grant", label="Role to remove", choices=grants, is_required=True,
                          error_message="Choose the role to remove."),
    ], [button("Remove the role", "admin.revoke", style="destructive", key=view.key)])
    school = show_card("Add a school", [
        ac.InputText(id="urn", label="DfE URN or establishment number", is_required=True, max_length=10,
                     error_message="Give the URN."),
        ac.InputText(id="name", label="School name", is_required=True, max_length=200,
                     error_message="Give the name."),
    ], [button("Add the school", "admin.school", key=view.key)])
    return card(body, [add, remove, school])
