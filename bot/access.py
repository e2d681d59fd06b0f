"""Who may see a case: a pupil's name is shown only to people with a role on that case."""

from __future__ import annotations

from cme.case import Case
from cme.reference import find_reference
from cme.roles import AUTHORITY_WIDE, Role
from storage.people import PersonRoles
from storage.schools import WhichAuthority


def is_officer_of(person: PersonRoles, case: Case, roles: frozenset[Role] = AUTHORITY_WIDE) -> bool:
    """An EWS or tracking officer (or one of `roles`) of the case's local authority; of another, never."""
    return case.authority_id is not None and case.authority_id in person.authority_ids(roles)


def administers(person: PersonRoles, authority_id: int | None) -> bool:
    """A deployment-wide administrator administers every authority; an authority's, only its own."""
    return any(g.role is Role.ADMIN and g.authority_id in (None, authority_id) for g in person.grants)


async def authority_of_admin(store, person: PersonRoles, named: str = ""):
    """The authority an administrator acts in: the one named, their own, or the only one (WhichAuthority else)."""
    own = person.authority_ids(frozenset({Role.ADMIN}))
    deployment_wide = any(g.role is Role.ADMIN and g.authority_id is None for g in person.grants)
    if not named and len(own) == 1 and not deployment_wide:
        return await store.schools.authority(own[0])
    authority = await store.schools.authority(named or None)
    if not administers(person, authority.id):
        raise WhichAuthority(f"You administer {', '.join(a.name for a in await _named(store, own))} only.")
    return authority


async def _named(store, ids: list[int]) -> list:
    return [a for a in await store.schools.authorities() if a.id in ids]


async def officers_of(store, case: Case, role: Role = Role.TRACKING_OFFICER) -> list[PersonRoles]:
    """The officers (tracking officers, or EWS) of the case's local authority: nobody of another."""
    if case.authority_id is None:
        return []
    return await store.people.with_role(role, authority_id=case.authority_id)


def is_receiving_officer(person: PersonRoles, case: Case) -> bool:
    """A tracking officer of the authority a child is handed to, not yet accepted (cme/handoff.py): they are sent
    the case to decide on it, but record nothing on it until they accept."""
    handoff = case.handoff
    return handoff is not None and handoff.to_authority_id is not None and \
        handoff.to_authority_id in person.authority_ids(frozenset({Role.TRACKING_OFFICER}))


def has_role_on(person: PersonRoles, case: Case) -> bool:
    if is_officer_of(person, case) or is_receiving_officer(person, case):
        return True
    if case.school_id is not None and case.school_id in person.school_ids():
        return True
    return person.has(Role.AGENCY_REFERRER) and case.created_by == person.aad_object_id


def can_work(person: PersonRoles, case: Case) -> bool:
    """Log enquiries, record breaks and outcomes: the school's staff, and EWS and the tracking officer of its
    authority."""
    if is_officer_of(person, case):
        return True
    return case.school_id is not None and case.school_id in person.school_ids()


def not_found(reference: str) -> str:
    """The same words whether the case does not exist or belongs to someone else's school.

    Only a well-formed reference is repeated, in its own spelling: anything else was typed or came from a
    tampered card, and is not echoed, in a channel or anywhere else."""
    reference = find_reference(reference)
    which = f"a case {reference}" if reference else "that case"
    return f"I cannot find {which} that you work on. Check the reference, or say **my cases**."
