"""Who may see a case: a pupil's name is shown only to people with a role on that case."""

from __future__ import annotations

from cme.case import Case
from cme.reference import find_reference
from cme.roles import AUTHORITY_WIDE, Role
from storage.people import PersonRoles


def has_role_on(person: PersonRoles, case: Case) -> bool:
    if person.roles & AUTHORITY_WIDE:
        return True
    if case.school_id is not None and case.school_id in person.school_ids():
        return True
    return person.has(Role.AGENCY_REFERRER) and case.created_by == person.aad_object_id


def can_work(person: PersonRoles, case: Case) -> bool:
    """Log enquiries, record breaks and outcomes: the school's staff, EWS and the tracking officer."""
    if person.roles & AUTHORITY_WIDE:
        return True
    return case.school_id is not None and case.school_id in person.school_ids()


def not_found(reference: str) -> str:
    """The same words whether the case does not exist or belongs to someone else's school.

    Only a well-formed reference is repeated, in its own spelling: anything else was typed or came from a
    tampered card, and is not echoed, in a channel or anywhere else."""
    reference = find_reference(reference)
    which = f"a case {reference}" if reference else "that case"
    return f"I cannot find {which} that you work on. Check the reference, or say **my cases**."
