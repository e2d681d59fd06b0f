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
    # aad id, name, (role, school id, label[, authority id]): the authority of an officer's, referrer's or
    # administrator's grant (None: an administrator of every authority) goes into its Remove value
    people: list[tuple[str, str, list[tuple]]]
    members: list[tuple[str, str]]  # aad id, name: the members of the team or chat, to pick from
    schools: list[tuple[int, str, str]]  # id, URN, name
    recent: list[tuple[datetime, str, str]]  # when, who, what
    key: str
    notice: str | None = None
    problem: str | None = None
    unsent_reminders: tuple[str, ...] = ()  # "CME-2026-0042 Day 5 (uncertain)": case references only
    unsent_panel: tuple[str, ...] = ()  # "Northfield Council: the COPP digest of 16 November 2026 (not posted)"
    unsent_non_arrivals: tuple[str, ...] = ()  # "NS-00003 not arrived, due 23 November 2026 (not posted)"
    term_dates_ending: tuple[str, ...] = ()  # the warnings of bot/calendars.py: case references only
    authorities: tuple[tuple[int, str, str | None], ...] = ()  # id, name, channel id: those the admin administers
    own_authority: int | None = None  # preselected in the pickers
    every_authority: bool = False  # the admin administers every authority, so may make another such admin


def _grant_label(role: Role, school: str) -> str:
    return f"{role.label} ({school})" if school else role.label


EVERY_AUTHORITY = "all"


def _remove_value(aad: str, grant: tuple) -> str:
    role, school_id, _label, *authority = grant
    value = f"{aad}|{role.value}|{school_id or ''}"
    return value + (f"|{authority[0]}" if authority and authority[0] is not None else "")


def _authority_picker(view: AdminView, label: str, *, every: bool) -> ac.InputChoiceSet | None:
    choices = [ac.InputChoice(title=name, value=str(authority_id)) for authority_id, name, _ in view.authorities]
    if every and view.every_authority:
        choices.append(ac.InputChoice(title="Every authority (administrators only)", value=EVERY_AUTHORITY))
    if len(choices) < (1 if every else 2):
        return None  # nothing to choose
    return ac.InputChoiceSet(id="authority", label=label, choices=choices,
                             value=str(view.own_authority) if view.own_authority is not None else None)


def _channels(view: AdminView) -> list[str]:
    """Each authority's channel for lines naming no child, and how to set it."""
    return [f"{user_text(name)}'s channel: " + ("set." if channel else "none yet: say **set reminders channel "
                                                 f"authority {user_text(name)}** in its CME channel (mention me).")
            for _id, name, channel in view.authorities]


def admin_card(view: AdminView) -> dict:
    return card(_head(view) + _people(view), [_give_a_role(view), _remove_a_role(view), _add_a_school(view)])


def _head(view: AdminView) -> list:
    body = [heading("People, roles and schools")]
    if view.problem:
        body.append(container([text(view.problem, color="attention", bold=True)], style="attention"))
    if view.notice:
        body.append(text(view.notice, color="good", bold=True))
    body += [text(warning, color="warning") for warning in view.term_dates_ending]
    for what, unsent in (("Reminders", view.unsent_reminders), ("COPP panel posts", view.unsent_panel),
                         ("Non-arrival cards", view.unsent_non_arrivals)):
        if unsent:
            more = len(unsent) - 20
            body.append(text(f"{what} not confirmed posted (the next run posts them): "
                             + ", ".join(unsent[:20]) + (f" and {more} more" if more > 0 else ""), color="warning"))
    return body


def _people(view: AdminView) -> list:
    body = [text("Roles decide who sees which cases: school staff see their school's cases; EWS officers and "
                 "tracking officers see every case of their local authority; agency referrers see what they "
                 "referred.", subtle=True)]
    body.append(lines([f"**{user_text(name)}**: "
                       f"{', '.join(user_text(_grant_label(g[0], g[2])) for g in grants) or 'no role'}"
                       for _aad, name, grants in view.people] or ["Nobody has a role yet."]))
    if view.recent:
        body.append(text("Recent changes", bold=True))
        body.append(lines([f"{at.astimezone(LONDON):%-d %b %H:%M} {user_text(who)}: {user_text(what)}"
                           for at, who, what in view.recent],
                          subtle=True))
    if view.authorities:
        body.append(lines(_channels(view), subtle=True))
    return body


def _present(items: list) -> list:
    return [item for item in items if item is not None]


def _give_a_role(view: AdminView):
    members = [ac.InputChoice(title=name, value=aad) for aad, name in view.members]
    schools = [ac.InputChoice(title=f"{name} ({urn})", value=str(school_id)) for school_id, urn, name in view.schools]
    roles = [ac.InputChoice(title=role.label, value=role.value) for role in Role]
    return show_card("Give a role", _present([
        ac.InputChoiceSet(id="person", label="Person (members of this team or chat)", choices=members,
                          is_required=True, error_message="Choose the person.", style="filtered")
        if members else text("I could not list this team's members: add the app to the team first.",
                             color="warning"),
        ac.InputChoiceSet(id="role", label="Role", choices=roles, is_required=True, error_message="Choose a role."),
        ac.InputChoiceSet(id="school", label="School (for school staff)", choices=schools),
        _authority_picker(view, "Local authority (for EWS officers, tracking officers, agency referrers and "
                                "administrators)", every=True),
    ]), [button("Give the role", "admin.grant", key=view.key)])


def _remove_a_role(view: AdminView):
    grants = [ac.InputChoice(title=f"{name}: {_grant_label(grant[0], grant[2])}", value=_remove_value(aad, grant))
              for aad, name, person_grants in view.people for grant in person_grants]
    return show_card("Remove a role", [
        ac.InputChoiceSet(id="grant", label="Role to remove", choices=grants, is_required=True,
                          error_message="Choose the role to remove."),
    ], [button("Remove the role", "admin.revoke", style="destructive", key=view.key)])


def _add_a_school(view: AdminView):
    return show_card("Add a school", _present([
        ac.InputText(id="urn", label="DfE URN or establishment number", is_required=True, max_length=10,
                     error_message="Give the URN."),
        ac.InputText(id="name", label="School name", is_required=True, max_length=200,
                     error_message="Give the name."),
        _authority_picker(view, "Local authority", every=False),
    ]), [button("Add the school", "admin.school", key=view.key)])
