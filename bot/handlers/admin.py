"""Administrators give and remove roles, picking people from the team's members, and add schools."""

from __future__ import annotations

import logging
import re
import uuid

from bot.access import administers, authority_of_admin
from bot.card_data import whole_number
from bot.context import Context
from bot.routes import Place, Routes
from bot.sending.errors import DeliveryError
from bot.verbs import Verb
from bot.views.unsent import unsent_panel_posts, unsent_reminders
from cards.admin import AdminView, admin_card
from cards.text import user_text
from cme.roles import Role
from storage.audit import AuditEntry
from storage.schools import WhichAuthority

log = logging.getLogger(__name__)
routes = Routes()
ADMIN = {Role.ADMIN}
URN = re.compile(r"^\d{6,7}$")
CHANGES = ("role_granted", "role_revoked", "school_saved")


async def _members(context: Context) -> list[tuple[str, str]]:
    """The people of the team (in a channel), of the group chat, or of the first team the app is in."""
    turn, services = context.turn, context.services
    if services.messenger is None:
        return []
    if turn.in_channel and turn.team_id:
        reference, conversation_id = turn.reference, turn.team_id
    elif turn.conversation_kind == "groupChat":
        reference, conversation_id = turn.reference, turn.conversation_id
    else:
        channels = [c for c in await context.store.conversations.channels() if c.alive and c.team_id]
        if not channels:
            return []
        reference, conversation_id = channels[0].reference, channels[0].team_id
    try:
        return sorted(await services.messenger.members(reference, conversation_id), key=lambda m: m[1])
    except DeliveryError as error:
        log.warning("could not list members: %s", error)
        return []


def _said(entry: AuditEntry, names: dict[str, str], schools: dict[int, str]) -> str:
    data = entry.data
    if entry.kind == "school_saved":
        return f"saved the school {data.get('name')} ({data.get('urn')})"
    role = Role(data["role"]).label
    school = f" ({schools.get(data.get('school_id'), '')})" if data.get("school_id") else ""
    person = names.get(data.get("aad_object_id"), "someone")
    if entry.kind == "role_granted":
        return f"gave {person} the role {role}{school}"
    return f"removed {role}{school} from {person}"


async def _view(context: Context, *, notice: str | None = None, problem: str | None = None,
                members: list[tuple[str, str]] | None = None) -> AdminView:
    store = context.store
    people = await store.people.everyone()
    schools = await store.schools.all()
    names = {p.aad_object_id: p.name or p.aad_object_id for p in people}
    school_names = {s.id: s.name for s in schools}
    recent = [(e.at, e.actor, _said(e, names, school_names)) for e in await store.audit.recent(CHANGES, 8)]
    return AdminView(
        people=[(p.aad_object_id, p.name or p.aad_object_id,
                 [(g.role, g.school_id, g.school_name or "") for g in p.grants]) for p in people if p.grants],
        members=members if members is not None else await _members(context),
        schools=[(s.id, s.urn, s.name) for s in schools], recent=recent, key=uuid.uuid4().hex[:12],
        notice=notice, problem=problem,
        unsent_reminders=tuple(await unsent_reminders(store, _administered(context.person))),
        unsent_panel=tuple(await unsent_panel_posts(store, _administered(context.person))),
        term_dates_ending=tuple(await context.services.calendars.term_end_warnings(store, context.services.today())))


def _administered(person) -> list[int] | None:
    """The authorities an administrator administers: None for a deployment-wide one (every authority)."""
    if any(g.role is Role.ADMIN and g.authority_id is None for g in person.grants):
        return None
    return person.authority_ids(frozenset({Role.ADMIN}))


@routes.command("roles", "schools", "admin", "people", description="give or remove people's roles, add schools", roles=ADMIN,
                where=Place.ANYWHERE)
async def roles_command(context: Context) -> None:
    await context.reply(card=admin_card(await _view(context)))


@routes.action(Verb.ADMIN_OPEN, roles=ADMIN, where=Place.ANYWHERE)
async def open_from_the_team_welcome(context: Context) -> dict:
    """The button on the team's welcome card: the admin card for the administrator who pressed it."""
    return admin_card(await _view(context))


@routes.action(Verb.ADMIN_GRANT, roles=ADMIN, where=Place.ANYWHERE)
async def grant(context: Context) -> dict:
    card = context.card
    person, chosen, school_id = card.text("person", limit=200), card.choice("role", Role), card.number("school")
    members = await _members(context)
    if chosen is None or not person:
        return admin_card(await _view(context, problem="Choose the person and the role.", members=members))
    role = Role(chosen)
    school = await context.store.schools.get(school_id) if school_id is not None else None
    if role.needs_school and school is None:
        return admin_card(await _view(context, problem=f"Choose the school for {role.label.lower()}.",
                                      members=members))
    try:
        authority_id = await _authority_of_grant(context, role, school)
    except WhichAuthority as which:
        return admin_card(await _view(context, problem=str(which), members=members))
    name = dict(members).get(person) or (await context.store.people.roles_of(person)).name or person
    added = await context.store.people.grant(person, role, actor=context.actor.name, name=name,
                                             school_id=school.id if school and role.needs_school else None,
                                             authority_id=authority_id)
    what = f"{role.label}" + (f" ({user_text(school.name)})" if school and role.needs_school else "")
    notice = f"{user_text(name)} is now {what}." if added else f"{user_text(name)} was {what} already: nothing changed."
    log.info("role %s granted by an administrator", role.value)
    return admin_card(await _view(context, notice=notice, members=members))


async def _authority_of_grant(context: Context, role: Role, school) -> int | None:
    """Officers and referrers are given a role in the administrator's authority (or the only one); an
    administrator gives their own scope; school staff are of their school's authority."""
    if role.needs_school:
        if not administers(context.person, school.authority_id):
            raise WhichAuthority("That school is of another local authority.")
        return None
    deployment_wide = any(g.role is Role.ADMIN and g.authority_id is None for g in context.person.grants)
    if role is Role.ADMIN and deployment_wide:
        return None
    return (await authority_of_admin(context.store, context.person)).id


@routes.action(Verb.ADMIN_REVOKE, roles=ADMIN, where=Place.ANYWHERE)
async def revoke(context: Context) -> dict:
    aad, _, rest = context.card.text("grant", limit=300).partition("|")
    role_value, _, school_id = rest.partition("|")
    if role_value not in {r.value for r in Role}:
        return admin_card(await _view(context, problem="Choose the role to remove."))
    role = Role(role_value)
    if role is Role.ADMIN:
        admins = await context.store.people.with_role(Role.ADMIN)
        if len(admins) <= 1 and not context.services.settings.bootstrap_admins:
            return admin_card(await _view(context, problem="Someone must remain an administrator: give the role "
                                                           "to another person first."))
    name = (await context.store.people.roles_of(aad)).name or "They"
    removed = await context.store.people.revoke(aad, role, actor=context.actor.name,
                                                school_id=whole_number(school_id))
    notice = f"{user_text(name)} is no longer {role.label}." if removed else "That role had been removed already."
    return admin_card(await _view(context, notice=notice))


@routes.action(Verb.ADMIN_SCHOOL, roles=ADMIN, where=Place.ANYWHERE)
async def add_school(context: Context) -> dict:
    urn, name = context.card.text("urn", limit=40).strip(), context.card.text("name").strip()
    if not URN.match(urn) or not name:
        return admin_card(await _view(context, problem="Give the school's name and its DfE URN (6 digits) or "
                                                       "establishment number (7 digits)."))
    try:
        authority = (await authority_of_admin(context.store, context.person)).name
    except WhichAuthority as which:
        return admin_card(await _view(context, problem=f"{which} Add the school with `cme-bot schools add "
                                                       "--authority ...`."))
    school = await context.store.schools.add(urn, name[:200], authority, actor=context.actor.name)
    return admin_card(await _view(context, notice=f"{user_text(school.name)} ({school.urn}) saved. Its staff can now be given "
                                                  "the school staff role; its reminders channel is set with **set "
                                                  "reminders channel**."))
