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
from bot.views.unsent import unsent_non_arrivals, unsent_panel_posts, unsent_reminders
from cards.admin import EVERY_AUTHORITY, AdminView, admin_card
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


def _authority_of_entry(entry: AuditEntry, school_authority: dict[int, int | None]) -> int | None:
    data = entry.data
    return data.get("authority_id") or school_authority.get(data.get("school_id"))


def _grant(grant, several: bool, names: dict[int, str]) -> tuple:
    """(role, school id, label, authority id) for the card: a school's name, or the authority's when there are
    several (an administrator of every authority: 'every authority')."""
    if grant.role.needs_school:
        return grant.role, grant.school_id, grant.school_name or "", None
    label = names.get(grant.authority_id, "every authority") if several else ""
    return grant.role, None, label, grant.authority_id


async def _view(context: Context, *, notice: str | None = None, problem: str | None = None,
                members: list[tuple[str, str]] | None = None) -> AdminView:
    """What this administrator administers: the people, schools, changes and unsent posts of their authorities (an
    administrator of every authority: all)."""
    store, person = context.store, context.person
    scope = _administered(person)
    every_authority = await store.schools.authorities()
    authorities = [a for a in every_authority if administers(person, a.id)]
    people = await store.people.everyone()
    every_school = await store.schools.all()
    return AdminView(
        people=_people_shown(person, people, {a.id: a.name for a in authorities}, len(every_authority) > 1),
        members=members if members is not None else await _members(context),
        schools=[(s.id, s.urn, s.name) for s in every_school if administers(person, s.authority_id)],
        recent=await _recent(context, people, every_school), key=uuid.uuid4().hex[:12],
        notice=notice, problem=problem,
        unsent_reminders=tuple(await unsent_reminders(store, scope)),
        unsent_panel=tuple(await unsent_panel_posts(store, scope)),
        unsent_non_arrivals=tuple(await unsent_non_arrivals(store, scope)),
        term_dates_ending=tuple(await context.services.calendars.term_end_warnings(store, context.services.today())),
        authorities=tuple((a.id, a.name, a.channel_id) for a in authorities),
        own_authority=_own_authority(person, authorities), every_authority=scope is None)


def _people_shown(admin, people, authority_names: dict[int, str], several: bool) -> list:
    """Each person with the grants this administrator administers (nobody of another authority's)."""
    shown = [(p, [_grant(g, several, authority_names) for g in p.grants if administers(admin, g.authority_id)])
             for p in people]
    return [(p.aad_object_id, p.name or p.aad_object_id, grants) for p, grants in shown if grants]


async def _recent(context: Context, people, schools, shown: int = 8) -> list:
    """The latest changes in the authorities this administrator administers."""
    names = {p.aad_object_id: p.name or p.aad_object_id for p in people}
    school_names = {s.id: s.name for s in schools}
    school_authority = {s.id: s.authority_id for s in schools}
    entries = [e for e in await context.store.audit.recent(CHANGES, 5 * shown)
               if administers(context.person, _authority_of_entry(e, school_authority))]
    return [(e.at, e.actor, _said(e, names, school_names)) for e in entries[:shown]]


def _own_authority(person, authorities) -> int | None:
    """The pickers' default: the administrator's own authority, or the only one they administer."""
    own = person.authority_ids(frozenset({Role.ADMIN}))
    if len(own) == 1:
        return own[0]
    return authorities[0].id if len(authorities) == 1 else None


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
        authority_id = await _authority_of_grant(context, role, school, card.text("authority", limit=20).strip())
    except WhichAuthority as which:
        return admin_card(await _view(context, problem=str(which), members=members))
    name = dict(members).get(person) or (await context.store.people.roles_of(person)).name or person
    added = await context.store.people.grant(person, role, actor=context.actor.name, name=name,
                                             school_id=school.id if school and role.needs_school else None,
                                             authority_id=authority_id)
    where = (await context.store.schools.authority(authority_id)).name if authority_id is not None else None
    what = f"{role.label}" + (f" ({user_text(school.name)})" if school and role.needs_school else
                              f" in {user_text(where)}" if where else
                              " of every authority" if role is Role.ADMIN else "")
    notice = f"{user_text(name)} is now {what}." if added else f"{user_text(name)} was {what} already: nothing changed."
    log.info("role %s granted by an administrator", role.value)
    return admin_card(await _view(context, notice=notice, members=members))


async def _authority_of_grant(context: Context, role: Role, school, chosen: str) -> int | None:
    """School staff are of their school's authority; officers, referrers and administrators are given their role in
    the authority chosen on the card (by default the administrator's own), which the administrator must administer;
    an administrator of every authority alone makes another. WhichAuthority says what is refused."""
    person = context.person
    if role.needs_school:
        if not administers(person, school.authority_id):
            raise WhichAuthority("That school is of another local authority.")
        return None
    if chosen == EVERY_AUTHORITY:
        if role is not Role.ADMIN:
            raise WhichAuthority(f"{role.label} is given in one local authority: choose it.")
        if _administered(person) is not None:
            raise WhichAuthority("Only an administrator of every authority can make another: choose your "
                                 "authority.")
        return None
    if not chosen:
        return (await authority_of_admin(context.store, person)).id
    authority_id = whole_number(chosen)
    authority = await context.store.schools.authority(authority_id) if authority_id is not None else None
    if authority is None:
        raise WhichAuthority("Choose the local authority from the list.")
    if not administers(person, authority.id):
        raise WhichAuthority(f"You cannot give roles in {authority.name}: you do not administer it.")
    return authority.id


@routes.action(Verb.ADMIN_REVOKE, roles=ADMIN, where=Place.ANYWHERE)
async def revoke(context: Context) -> dict:
    aad, _, rest = context.card.text("grant", limit=300).partition("|")
    role_value, _, rest = rest.partition("|")
    school_id, _, authority = rest.partition("|")
    if role_value not in {r.value for r in Role}:
        return admin_card(await _view(context, problem="Choose the role to remove."))
    role = Role(role_value)
    school_id, authority_id = whole_number(school_id), whole_number(authority)
    if role.needs_school:
        school = await context.store.schools.get(school_id) if school_id is not None else None
        within = school.authority_id if school else None
    else:
        within, school_id = authority_id, None
    if not administers(context.person, within):
        return admin_card(await _view(context, problem="That role is held in a local authority you do not "
                                                       "administer: nothing was changed."))
    if role is Role.ADMIN:
        admins = await context.store.people.with_role(Role.ADMIN)
        if len(admins) <= 1 and not context.services.settings.bootstrap_admins:
            return admin_card(await _view(context, problem="Someone must remain an administrator: give the role "
                                                           "to another person first."))
    name = (await context.store.people.roles_of(aad)).name or "They"
    removed = await context.store.people.revoke(aad, role, actor=context.actor.name, school_id=school_id,
                                                authority_id=authority_id)
    notice = f"{user_text(name)} is no longer {role.label}." if removed else "That role had been removed already."
    return admin_card(await _view(context, notice=notice))


@routes.action(Verb.ADMIN_SCHOOL, roles=ADMIN, where=Place.ANYWHERE)
async def add_school(context: Context) -> dict:
    urn, name = context.card.text("urn", limit=40).strip(), context.card.text("name").strip()
    if not URN.match(urn) or not name:
        return admin_card(await _view(context, problem="Give the school's name and its DfE URN (6 digits) or "
                                                       "establishment number (7 digits)."))
    try:
        authority = (await _authority_of_school(context)).name
    except WhichAuthority as which:
        return admin_card(await _view(context, problem=f"{which} Add the school with `cme-bot schools add "
                                                       "--authority ...`."))
    school = await context.store.schools.add(urn, name[:200], authority, actor=context.actor.name)
    return admin_card(await _view(context, notice=f"{user_text(school.name)} ({school.urn}) saved. Its staff can now be given "
                                                  "the school staff role; its reminders channel is set with **set "
                                                  "reminders channel**."))


async def _authority_of_school(context: Context):
    """The authority chosen on the card (it must be one the administrator administers), else their own."""
    chosen = context.card.text("authority", limit=20).strip()
    if not chosen:
        return await authority_of_admin(context.store, context.person)
    authority_id = whole_number(chosen)
    authority = await context.store.schools.authority(authority_id) if authority_id is not None else None
    if authority is None or not administers(context.person, authority.id):
        raise WhichAuthority("Choose one of your local authorities.")
    return authority
