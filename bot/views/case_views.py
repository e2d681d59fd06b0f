"""Who looked (issue 17 item 7): an opening of a case card recorded, and who may see which openings.

The tracking officers of the case's authority see every opening on the case card; the school's staff see those by
people outside their school; administrators ask with `who opened CME-…` (bot/handlers/records.py). Recorded once per
activity: Teams redelivering the same activity adds nothing.
"""

from __future__ import annotations

from bot.access import is_officer_of
from bot.context import Context
from bot.services import Services
from cme.case import Case
from cme.roles import Role
from storage.case_views import CaseOpened
from storage.people import PersonRoles

PLACES = {"personal": "personal chat", "channel": "a channel", "groupChat": "a group chat"}
SHOWN = 6  # the latest openings on the case card


def relation(person: PersonRoles, case: Case) -> tuple[str, bool]:
    """The viewer's role on the case in words, and whether they are staff of the case's school."""
    if case.school_id is not None and case.school_id in person.school_ids():
        return Role.SCHOOL_STAFF.label, True
    for role in (Role.TRACKING_OFFICER, Role.EWS_OFFICER):
        if is_officer_of(person, case, frozenset({role})):
            return role.label, False
    return (Role.AGENCY_REFERRER.label if person.has(Role.AGENCY_REFERRER) else "Other"), False


async def record_opening(context: Context, case: Case) -> None:
    role, inside = relation(context.person, case)
    await context.store.case_views.record(
        case.id, aad_object_id=context.turn.sender.aad_object_id, name=context.actor.name, role=role,
        inside_school=inside, place=context.turn.conversation_kind or "unknown", activity_id=context.turn.activity_id)


async def openings_seen(services: Services, case: Case, person: PersonRoles) -> tuple[str, tuple] | None:
    """The title and the latest openings (when, who, role, from where) this person sees on the case card; None when
    they see none."""
    if is_officer_of(person, case, frozenset({Role.TRACKING_OFFICER})):
        title, opened = "Opened by", await services.store.case_views.of_case(case.id, limit=SHOWN)
    elif case.school_id is not None and case.school_id in person.school_ids():
        title, opened = ("Opened by people outside your school", await services.store.case_views.of_case(
            case.id, outside_school_only=True, limit=SHOWN))
    else:
        return None
    return title, tuple(opening_line(each, services.settings.zone) for each in opened)


def opening_line(opened: CaseOpened, zone) -> tuple:
    """(when, who, their role, from where) as the card shows them."""
    return (opened.at.astimezone(zone), opened.viewer_name, opened.viewer_role,
            PLACES.get(opened.place, opened.place))
