"""What each surface shows of an expected starter: the school's list (named, personal chat), the non-arrival card
(reference only, the school's channel) kept up to date in place, and the new pupil return told to the authority."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from bot.sending.channels import channel_reference, post_to_channel
from bot.sending.errors import DeliveryError
from bot.sending.personal_chats import send_to_person
from bot.services import Services
from bot.turn import Message, PupilMessage
from cards.expected_starters import (
    NewPupilReturn,
    NonArrivalView,
    StarterLine,
    StarterList,
    new_pupil_line_card,
    new_pupil_return_card,
    non_arrival_card,
)
from cme.expected_starters import Starter, is_overdue, non_arrival_due
from cme.roles import Role
from storage.people import PersonRoles
from storage.schools import SchoolInfo

log = logging.getLogger(__name__)
LISTED_FOR = timedelta(weeks=6)  # arrived and non-arrivals stay on the school's list this long after the first day


async def starter_list(services: Services, person: PersonRoles, *, problem: str | None = None,
                       notice: str | None = None, typed: dict | None = None, typed_for: int | None = None) -> StarterList:
    today, store = services.today(), services.store
    school_ids = person.school_ids()
    schools = {school_id: await store.schools.get(school_id) for school_id in school_ids}
    lines = []
    for starter in await store.expected_starters.of_schools(school_ids, today - LISTED_FOR):
        school = schools.get(starter.school_id)
        calendar = services.calendars.for_school(school)
        lines.append(StarterLine(starter, school.name if school else "", non_arrival_due(starter, calendar),
                                 is_overdue(starter, calendar, today)))
    return StarterList(lines, today, problem, notice, typed or {}, typed_for)


def non_arrival_view(services: Services, starter: Starter, school: SchoolInfo | None, on_date: date, *,
                     said: str | None = None, maybe_repeat: bool = False) -> NonArrivalView:
    due = non_arrival_due(starter, services.calendars.for_school(school)) or on_date
    return NonArrivalView(starter.reference, school.name if school else "", starter.first_day, due, on_date,
                          starter.status, starter.case_reference, starter.arrived_on, said, maybe_repeat)


async def refresh_non_arrival_card(services: Services, starter: Starter, *, skip: str | None = None) -> None:
    """The channel's card about this starter, updated in place (an arrival after it, a case made from the list)."""
    if services.messenger is None or not starter.card_activity_id or starter.card_activity_id == skip:
        return
    channel_id = (starter.card_conversation_id or "").split(";", 1)[0]
    conversation = await services.store.conversations.get(channel_id)
    if conversation is None or not conversation.alive:
        return
    school = await services.store.schools.get(starter.school_id)
    card = non_arrival_card(non_arrival_view(services, starter, school, services.today()))
    try:
        await services.messenger.update(channel_reference(conversation.reference, starter.card_conversation_id),
                                        starter.card_activity_id, Message(card=card))
    except DeliveryError as error:
        log.warning("could not update the non-arrival card of %s: %s", starter.reference, error)


async def tell_of_arrival(services: Services, starter: Starter, school: SchoolInfo, recorded_by: str) -> int:
    """The new pupil return: named to each tracking officer of the school's authority in their personal chat, a
    line by reference in the authority's channel. How many places were told."""
    store, told = services.store, 0
    if services.messenger is None:
        return 0
    card = new_pupil_return_card(NewPupilReturn(starter, school.name, recorded_by))
    for officer in await store.people.with_role(Role.TRACKING_OFFICER, authority_id=school.authority_id):
        try:
            await send_to_person(services, officer.aad_object_id, PupilMessage(
                card=card, summary=f"New pupil return {starter.reference}", reader=officer))
        except DeliveryError as error:
            log.warning("tracking officer not told of the new pupil return %s: %s", starter.reference, error)
            continue
        told += 1
    try:
        await post_to_channel(services, await store.schools.authority_channel(school.authority_id), Message(
            card=new_pupil_line_card(starter.reference, school.name, starter.arrived_on),
            summary=f"New pupil return {starter.reference}"))
        told += 1
    except DeliveryError as error:
        log.warning("local authority channel not told of the new pupil return %s: %s", starter.reference, error)
    return told

