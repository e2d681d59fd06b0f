"""Render a case for one person, post it, and keep every posted copy up to date."""

from __future__ import annotations

import logging
import uuid

from bot.access import can_work, has_role_on, is_officer_of, is_receiving_officer
from bot.context import Context
from bot.sending.errors import DeliveryError
from bot.sending.personal_chats import send_to_person
from bot.sending.shown import shown
from bot.services import Services
from bot.turn import Message, PupilMessage
from bot.views.case_views import openings_seen
from cards.case_card import CaseView, case_card
from cards.notice import notice_card
from cards.out_of_provision import TRACKING_EVENTS, LinkView, TrackingView
from cme.at_risk import group_labels, reason_label
from cme.case import Case
from cme.deadlines import Deadline
from cme.handoff import notification_text
from cme.lifecycle import TRACKING_STATES, State
from cme.removal import earliest_off_roll_date
from cme.roles import REMOVAL_REQUESTERS, Role
from cme.tracking import weeks_missing
from storage.cases import Written
from storage.people import PersonRoles
from storage.schools import SchoolInfo

log = logging.getLogger(__name__)

CASE_CARD = "case"
REQUESTABLE = {State.REPORTED, State.ENQUIRIES, State.REFERRED_TO_EWS, State.CME_REFERRAL,
               State.REMOVAL_DECLINED}


async def case_view(services: Services, case: Case, person: PersonRoles, *, notice: str | None = None,
                    problem: str | None = None, school: SchoolInfo | None = None,
                    written: Written | None = None) -> CaseView:
    """`school`, when the caller has the case's school at hand already; else it is read. `written`: for a case this
    turn created, its history and milestones as written (not read again); nobody has opened it yet."""
    if school is None and case.school_id:
        school = await services.store.schools.get(case.school_id)
    calendar = services.calendars.for_school(school)
    today = services.today()
    officer = is_officer_of(person, case) or is_receiving_officer(person, case)  # the authority's view
    history, deadlines = await _history_and_deadlines(services, case, written, calendar, officer=officer)
    return CaseView(
        case=case, school_name=school.name if school else "No school yet (local authority)",
        day=case.day_number(calendar, today) if case.is_open else 0, due=case.due_dates(calendar),
        overdue=case.overdue(calendar, today), today=today, key=uuid.uuid4().hex[:12],
        can_work=can_work(person, case), history=history,
        can_request_removal=can_work(person, case) and bool(person.roles & REMOVAL_REQUESTERS)
        and case.state in REQUESTABLE, notice=notice, problem=problem,
        counted_until=None if calendar.is_known(today) else calendar.known_until, not_known=calendar.unknown_reason,
        earliest_off_roll=earliest_off_roll_date(case, calendar, today) if case.is_open else None,
        deadlines=deadlines, for_officer=officer,
        tracking=await _tracking(services, case, person, deadlines.get(Deadline.LPD_REVIEW)),
        link=await _link(services, case, person),
        opened=None if written else await openings_seen(services, case, person),
        erased=not case.is_open and await services.store.retention.tombstone(case.id) is not None,
    )


async def _history_and_deadlines(services: Services, case: Case, written: Written | None, calendar, *,
                                 officer: bool) -> tuple[list, dict]:
    """The history lines the reader may see (the school's part closed at removal) and the deadlines' due dates."""
    zone = services.settings.zone
    entries = written.history if written else await services.store.cases.history(case.id)
    history = [(entry.at.astimezone(zone), entry.actor_name.split(" ")[0], entry.kind, entry.data)
               for entry in entries if officer or entry.kind not in TRACKING_EVENTS]
    milestones = written.milestones if written else await services.store.cases.milestones(case.id)
    deadlines = {kind: due if calendar.is_known(due) or kind is Deadline.LPD_REVIEW else None
                 for kind, (due, _) in milestones.items() if isinstance(kind, Deadline)}
    return history, deadlines


async def _link(services: Services, case: Case, person: PersonRoles) -> LinkView | None:
    """Linking a case with no school yet to the child's school: the tracking officer's, of its authority."""
    if case.school_id is not None or not case.is_open or \
            not is_officer_of(person, case, frozenset({Role.TRACKING_OFFICER})):
        return None
    schools = [(school.id, school.name) for school in await services.store.schools.all(case.authority_id)]
    return LinkView(case.reference, uuid.uuid4().hex[:12], services.today(), case.first_day_absent, schools)


async def _tracking(services: Services, case: Case, person: PersonRoles, review_on) -> TrackingView | None:
    """The tracking officer's outcomes, while the child is out of provision (their authority's only); a child handed
    to another authority: what is pending, or the receiving authority's officer's Accept."""
    today, key = services.today(), uuid.uuid4().hex[:12]
    if case.state not in TRACKING_STATES:
        return None
    if is_receiving_officer(person, case):
        return TrackingView(case.reference, case.state, weeks_missing(case, today), today, key, review_on,
                            handoff=case.handoff, receiving=True)
    if not is_officer_of(person, case, frozenset({Role.TRACKING_OFFICER})):
        return None
    store = services.store
    schools = [school.name for school in await store.schools.all(case.authority_id)]
    others = [(a.id, a.name) for a in await store.schools.authorities() if a.id != case.authority_id]
    notification = await handoff_notification(services, case, person) \
        if case.handoff and not case.handoff.on_deployment else ""
    return TrackingView(case.reference, case.state, weeks_missing(case, today), today, key, review_on, schools,
                        others=others, handoff=case.handoff, notification=notification, declined=case.handoff_declined)


async def handoff_notification(services: Services, case: Case, officer: PersonRoles) -> str:
    """The notification to an authority not on this deployment, signed by the officer reading it (policy 8.4.2)."""
    store = services.store
    school = await store.schools.get(case.school_id) if case.school_id else None
    authority = await store.schools.authority(case.authority_id) if case.authority_id else None
    return notification_text(case, school_name=school.name if school else "", officer_name=officer.name,
                             officer_authority=authority.name if authority else "", reasons=reason_label(case.reason),
                             at_risk=", ".join(group_labels(case.risk_groups)), today=services.today())


async def send_case_card(context: Context, case: Case, *, notice: str | None = None,
                         school: SchoolInfo | None = None, written: Written | None = None) -> None:
    """A new case card in this conversation, remembered so later changes update it."""
    view = await case_view(context.services, case, context.person, notice=notice, school=school, written=written)
    message = PupilMessage(card=case_card(view), reader=context.person, cases=(case,))
    activity_id = await context.outbox.send(message)
    if activity_id:
        await context.store.card_messages.add(case.id, CASE_CARD, context.turn.conversation_id, activity_id,
                                              context.person.aad_object_id, text=shown(message),
                                              conversation_kind=context.turn.conversation_kind)


async def update_case_card_here(context: Context, case: Case, *, notice: str | None = None,
                                problem: str | None = None) -> None:
    """The card the action came from changes in place for its user (a new card if it cannot be found)."""
    view = await case_view(context.services, case, context.person, notice=notice, problem=problem)
    if context.turn.reply_to_id:
        message = PupilMessage(card=case_card(view), reader=context.person, cases=(case,))
        await context.outbox.update(context.turn.reply_to_id, message)
        await context.store.card_messages.updated(case.id, context.turn.reply_to_id, shown(message))
    else:
        await send_case_card(context, case, notice=notice)


async def refresh_other_copies(services: Services, case: Case, *, skip: set[str], gone: str | None = None) -> None:
    """Every posted copy of the case card as it now stands; for a reader with no role on the case any more, a notice
    (`gone`: why, by reference only)."""
    if services.messenger is None:
        return
    for copy in await services.store.card_messages.latest(case.id, (CASE_CARD,)):
        if copy.activity_id in skip or not copy.audience:
            continue
        conversation = await services.store.conversations.get(copy.conversation_id)
        if conversation is None or not conversation.alive:
            continue
        person = await services.store.people.roles_of(copy.audience)
        if has_role_on(person, case):
            message = PupilMessage(card=case_card(await case_view(services, case, person)), reader=person,
                                   cases=(case,))
        else:
            message = Message(card=notice_card(gone or f"Case {case.reference} is no longer available to you."))
        try:
            await services.messenger.update(conversation.reference, copy.activity_id, message)
        except DeliveryError as error:
            log.warning("could not refresh a copy of case card %s: %s", case.reference, error)
            continue
        await services.store.card_messages.updated(case.id, copy.activity_id, shown(message))


async def send_to_school_staff(services: Services, case: Case, notice: str) -> int:
    """The case card to each of its school's staff, in their personal chats (remembered, so it updates later)."""
    if services.messenger is None or case.school_id is None:
        return 0
    told = 0
    for person in await services.store.people.with_role(Role.SCHOOL_STAFF, case.school_id):
        view = await case_view(services, case, person, notice=notice)
        try:
            sent = await send_to_person(services, person.aad_object_id, PupilMessage(
                card=case_card(view), summary=notice, reader=person, cases=(case,)))
        except DeliveryError as error:
            log.warning("school staff not sent case %s: %s", case.reference, error)
            continue
        await services.store.card_messages.add(case.id, CASE_CARD, sent.conversation_id, sent.activity_id,
                                               person.aad_object_id, text=sent.text,
                                               conversation_kind=sent.conversation_kind)
        told += 1
    return told
