"""The cards of a removal from roll request: who gets them, and updating every posted copy in place."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import date, datetime

from bot.access import has_role_on
from bot.sending.channels import channel_reference, post_to_channel
from bot.sending.errors import DeliveryError
from bot.sending.personal_chats import send_to_person
from bot.services import Services
from bot.turn import Message, PupilMessage
from cards.notice import notice_card
from cards.removal import (
    Decision,
    RemovalView,
    removal_channel_card,
    removal_request_card,
    removal_school_card,
)
from cme.case import Case
from cme.removal import DECISION_EVENTS, earliest_off_roll_date, preconditions
from cme.roles import Role
from storage.cases import HistoryEntry

log = logging.getLogger(__name__)

OFFICER_CARD, CHANNEL_LINE, SCHOOL_CARD = "removal_officer", "removal_channel", "removal_school"


@dataclass(frozen=True)
class Request:
    """The latest removal request of a case, from its history."""

    id: str
    by: str
    by_aad_object_id: str
    entry: HistoryEntry
    decision: Decision | None
    removed: tuple[str, datetime] | None


def latest_request(history: list[HistoryEntry]) -> Request | None:
    requests = [e for e in history if e.kind == "removal_requested"]
    if not requests:
        return None
    asked = requests[-1]
    request_id = asked.data.get("request", "")
    decision = removed = None
    for entry in history:
        if entry.data.get("request") != request_id:
            continue
        if entry.kind in DECISION_EVENTS:
            off_roll = entry.data.get("off_roll_date")
            decision = Decision(DECISION_EVENTS[entry.kind], entry.actor_name, entry.at, entry.data.get("why", ""),
                                date.fromisoformat(off_roll) if off_roll else None)
    for entry in history:
        if entry.kind == "removed_from_roll" and entry.at >= asked.at:
            removed = (entry.actor_name, entry.at)
    return Request(request_id, asked.actor_name, asked.actor_aad_object_id, asked, decision, removed)


async def removal_view(services: Services, case: Case, *, named: bool) -> RemovalView | None:
    request = latest_request(await services.store.cases.history(case.id))
    if request is None:
        return None
    school = await services.store.schools.get(case.school_id) if case.school_id else None
    calendar = services.calendars.for_school(school)
    today = services.today()
    return RemovalView(
        reference=case.reference, school_name=school.name if school else "No school yet (local authority)",
        day=case.day_number(calendar, today) if case.is_open else 0, request_id=request.id,
        requested_by=request.by, requested_by_aad_object_id=request.by_aad_object_id, requested_at=request.entry.at, preconditions=preconditions(case, calendar, today),
        pupil_name=case.pupil.full_name if named else "", decision=request.decision, removed=request.removed,
        counted_until=None if calendar.is_known(today) else calendar.known_until, not_known=calendar.unknown_reason,
        earliest_off_roll=earliest_off_roll_date(case, calendar, today) if case.is_open else None)


def nameless(view: RemovalView) -> RemovalView:
    """The same view for a shared channel: without the pupil's name."""
    return replace(view, pupil_name="")


async def send_removal_request(services: Services, case: Case) -> int:
    """The request to every tracking officer's personal chat and a line in the local authority's channel."""
    store, told = services.store, 0
    view = await removal_view(services, case, named=True)
    if view is None or services.messenger is None:
        return 0
    for officer in await store.people.with_role(Role.TRACKING_OFFICER):
        try:
            sent = await send_to_person(services, officer.aad_object_id, PupilMessage(
                card=removal_request_card(view), summary=f"Removal requested: {case.reference}", reader=officer,
                cases=(case,)))
        except DeliveryError as error:
            log.warning("tracking officer not told of the removal request of %s: %s", case.reference, error)
            continue
        await store.card_messages.add(case.id, OFFICER_CARD, sent.conversation_id, sent.activity_id,
                                      officer.aad_object_id)
        told += 1
    line = removal_channel_card(nameless(view))
    try:
        posted = await post_to_channel(services, await store.schools.authority_channel(), Message(card=line))
        await store.card_messages.add(case.id, CHANNEL_LINE, posted.conversation_id, posted.activity_id)
    except DeliveryError as error:
        log.warning("local authority channel not told of the removal request of %s: %s", case.reference, error)
    return told


async def send_decision_to_school(services: Services, case: Case) -> int:
    """The decision to the school's staff (and the requester), in their personal chats."""
    store = services.store
    view = await removal_view(services, case, named=True)
    if view is None or services.messenger is None:
        return 0
    staff = await store.people.with_role(Role.SCHOOL_STAFF, case.school_id) if case.school_id else []
    audience = {person.aad_object_id for person in staff}
    audience.add(view.requested_by_aad_object_id)
    told = 0
    for aad_object_id in sorted(audience):
        person = await store.people.roles_of(aad_object_id)
        if not has_role_on(person, case):
            continue
        try:
            sent = await send_to_person(services, aad_object_id, PupilMessage(
                card=removal_school_card(view), summary=f"Removal from roll {view.decision.what}: {case.reference}",
                reader=person, cases=(case,)))
        except DeliveryError as error:
            log.warning("school not told of the removal decision on %s: %s", case.reference, error)
            continue
        await store.card_messages.add(case.id, SCHOOL_CARD, sent.conversation_id, sent.activity_id, aad_object_id)
        told += 1
    return told


async def refresh_removal_cards(services: Services, case: Case, *, skip: set[str] = frozenset()) -> None:
    """Every card about the request, updated in place for everyone: officers', the channel line, the school's."""
    if services.messenger is None:
        return
    store = services.store
    named = await removal_view(services, case, named=True)
    if named is None:
        return
    for copy in await store.card_messages.latest(case.id, (OFFICER_CARD, CHANNEL_LINE, SCHOOL_CARD)):
        if copy.activity_id in skip:
            continue
        conversation = await store.conversations.get(copy.conversation_id.split(";", 1)[0])
        if conversation is None or not conversation.alive:
            continue
        reference = channel_reference(conversation.reference, copy.conversation_id) \
            if copy.purpose == CHANNEL_LINE else conversation.reference
        viewer = None if copy.purpose == CHANNEL_LINE else await store.people.roles_of(copy.audience or "")
        if viewer is None:
            message = Message(card=removal_channel_card(nameless(named)))
        elif not has_role_on(viewer, case):
            message = Message(card=notice_card(f"Case {case.reference} is no longer available to you."))
        else:
            render = removal_request_card if copy.purpose == OFFICER_CARD else removal_school_card
            message = PupilMessage(card=render(named), reader=viewer, cases=(case,))
        try:
            await services.messenger.update(reference, copy.activity_id, message)
        except DeliveryError as error:
            log.warning("could not update a removal card of %s: %s", case.reference, error)
