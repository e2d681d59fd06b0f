"""The cards of a removal from roll request: who gets them, and updating every posted copy in place.

Each request has its own cards (the officers', the channel line, the school's), stored with the request
in their purpose, so a second request never rewrites the first one's record. Every card carries a
refresh block, so Teams shows each viewer the card as it now stands (`current_removal_card`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import date, datetime

from bot.access import has_role_on, officers_of
from bot.sending.channels import channel_reference, post_to_channel
from bot.sending.errors import DeliveryError
from bot.sending.personal_chats import send_to_person
from bot.services import Services
from bot.turn import Message, PupilMessage
from cards.base import LONDON
from cards.notice import notice_card
from cards.readable import card_text
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
from storage.card_messages import PostedCard
from storage.cases import HistoryEntry
from storage.people import PersonRoles

log = logging.getLogger(__name__)

OFFICER_CARD, CHANNEL_LINE, SCHOOL_CARD = "removal_officer", "removal_channel", "removal_school"
KINDS = (OFFICER_CARD, CHANNEL_LINE, SCHOOL_CARD)
REFRESH_USERS = 60  # Teams refreshes a card by itself for at most 60 listed users


@dataclass(frozen=True)
class Request:
    """One removal request of a case, with its own decision and, once agreed, the school's confirmation."""

    id: str
    by: str
    by_aad_object_id: str
    entry: HistoryEntry
    decision: Decision | None = None
    removed: tuple[str, datetime] | None = None


def _decision(entry: HistoryEntry) -> Decision:
    off_roll = entry.data.get("off_roll_date")
    return Decision(DECISION_EVENTS[entry.kind], entry.actor_name, entry.at, entry.data.get("why", ""),
                    date.fromisoformat(off_roll) if off_roll else None)


def requests_of(history: list[HistoryEntry]) -> list[Request]:
    """Every removal request of a case, oldest first."""
    requests: list[Request] = []
    for entry in history:
        if entry.kind == "removal_requested":
            requests.append(Request(entry.data.get("request", ""), entry.actor_name, entry.actor_aad_object_id,
                                    entry))
        elif entry.kind in DECISION_EVENTS:
            for n, request in enumerate(requests):
                if request.id == entry.data.get("request") and request.decision is None:
                    requests[n] = replace(request, decision=_decision(entry))
        elif entry.kind == "removed_from_roll" and requests and requests[-1].decision \
                and requests[-1].decision.agreed:
            requests[-1] = replace(requests[-1], removed=(entry.actor_name, entry.at))
    return requests


def latest_request(history: list[HistoryEntry]) -> Request | None:
    requests = requests_of(history)
    return requests[-1] if requests else None


def _pick(requests: list[Request], request_id: str | None) -> Request | None:
    """The request asked for, else the latest."""
    return next((r for r in requests if r.id == request_id), requests[-1] if requests else None)


async def removal_view(services: Services, case: Case, *, named: bool, request_id: str | None = None,
                       watchers: tuple[str, ...] | None = None) -> RemovalView | None:
    """A request's card as it stands: a decided request is shown as it was on the day of its decision."""
    request = _pick(requests_of(await services.store.cases.history(case.id)), request_id)
    if request is None:
        return None
    school = await services.store.schools.get(case.school_id) if case.school_id else None
    calendar = services.calendars.for_school(school)
    today = services.today()
    on = min(request.decision.at.astimezone(LONDON).date(), today) if request.decision else today
    return RemovalView(
        reference=case.reference, school_name=school.name if school else "No school yet (local authority)",
        day=case.day_number(calendar, on), request_id=request.id,
        requested_by=request.by, requested_by_aad_object_id=request.by_aad_object_id, requested_at=request.entry.at,
        preconditions=preconditions(case, calendar, on),
        pupil_name=case.pupil.full_name if named else "", decision=request.decision, removed=request.removed,
        counted_until=None if calendar.is_known(on) else calendar.known_until, not_known=calendar.unknown_reason,
        earliest_off_roll=earliest_off_roll_date(case, calendar, today) if case.is_open else None,
        watchers=watchers, deletion_return=await _deletion_return(services, case) if named else None)


async def _deletion_return(services: Services, case: Case) -> tuple[str, date] | None:
    """The latest deletion return made from the case (bot/handlers/deletion_return.py), for the school's card."""
    made = await services.store.deletion_returns.of_case(case.id)
    return (made[-1].reference, made[-1].sent_on) if made else None


def nameless(view: RemovalView) -> RemovalView:
    """The same view for a shared channel: without the pupil's name."""
    return replace(view, pupil_name="")


async def teams_id(services: Services, aad_object_id: str) -> str | None:
    """A person's Teams user id, from their personal chat with the bot (what a card's refresh lists)."""
    chat = await services.store.conversations.personal_chat(aad_object_id)
    user = (chat.reference.get("user") or {}) if chat else {}
    return user.get("id") or None


async def people_on_the_case(services: Services, case: Case) -> tuple[str, ...]:
    """The Teams ids of the people on the case, for a shared card's refresh: tracking officers first, then EWS
    and the school's staff; at most 60 (Teams' limit), only those the bot has a personal chat with."""
    people = services.store.people
    who = [p.aad_object_id for p in await officers_of(services.store, case)]
    who += [p.aad_object_id for p in await officers_of(services.store, case, Role.EWS_OFFICER)]
    if case.school_id:
        who += [p.aad_object_id for p in await people.with_role(Role.SCHOOL_STAFF, case.school_id)]
    ids: list[str] = []
    for aad_object_id in dict.fromkeys(who):
        found = await teams_id(services, aad_object_id)
        if found and found not in ids:
            ids.append(found)
        if len(ids) == REFRESH_USERS:
            break
    return tuple(ids)


def render(kind: str, view: RemovalView, **said: str | None) -> dict:
    """The card of this kind; the channel line never names the pupil."""
    if kind == CHANNEL_LINE:
        return removal_channel_card(nameless(view), **said)
    if kind == OFFICER_CARD:
        return removal_request_card(view, **said)
    return removal_school_card(view, notice=said.get("notice"))


def purpose(kind: str, request_id: str) -> str:
    return f"{kind}:{request_id}"


def _kind_and_request(copy: PostedCard, requests: list[Request]) -> tuple[str, str | None]:
    """A card's kind and request; a card stored before requests were recorded with their cards belongs to
    the request that was the latest when it was sent."""
    kind, _, request_id = copy.purpose.partition(":")
    if request_id:
        return kind, request_id
    earlier = [r for r in requests if r.entry.at <= copy.created_at]
    return kind, (earlier[-1] if earlier else requests[0]).id if requests else None


async def send_removal_request(services: Services, case: Case) -> int:
    """The request to every tracking officer's personal chat and a line in the local authority's channel."""
    store, told = services.store, 0
    view = await removal_view(services, case, named=True)
    if view is None or services.messenger is None:
        return 0
    for officer in await officers_of(store, case):
        mine = replace(view, watchers=tuple(filter(None, [await teams_id(services, officer.aad_object_id)])))
        try:
            sent = await send_to_person(services, officer.aad_object_id, PupilMessage(
                card=removal_request_card(mine), summary=f"Removal requested: {case.reference}", reader=officer,
                cases=(case,)))
        except DeliveryError as error:
            log.warning("tracking officer not told of the removal request of %s: %s", case.reference, error)
            continue
        await store.card_messages.add(case.id, purpose(OFFICER_CARD, view.request_id), sent.conversation_id,
                                      sent.activity_id, officer.aad_object_id, text=sent.text,
                                      conversation_kind=sent.conversation_kind)
        told += 1
    line = removal_channel_card(nameless(replace(view, watchers=await people_on_the_case(services, case))))
    try:
        posted = await post_to_channel(services, await store.schools.authority_channel(case.authority_id),
                                       Message(card=line))
        await store.card_messages.add(case.id, purpose(CHANNEL_LINE, view.request_id), posted.conversation_id,
                                      posted.activity_id, text=posted.text,
                                      conversation_kind=posted.conversation_kind)
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
        theirs = replace(view, watchers=tuple(filter(None, [await teams_id(services, aad_object_id)])))
        try:
            sent = await send_to_person(services, aad_object_id, PupilMessage(
                card=removal_school_card(theirs), summary=f"Removal from roll {view.decision.what}: {case.reference}",
                reader=person, cases=(case,)))
        except DeliveryError as error:
            log.warning("school not told of the removal decision on %s: %s", case.reference, error)
            continue
        await store.card_messages.add(case.id, purpose(SCHOOL_CARD, view.request_id), sent.conversation_id,
                                      sent.activity_id, aad_object_id, text=sent.text,
                                      conversation_kind=sent.conversation_kind)
        told += 1
    return told


async def _card_for(services: Services, case: Case, copy: PostedCard, request_id: str | None,
                    viewer: PersonRoles | None, shared: tuple[str, ...] | None) -> dict | None:
    """The card `copy` shows now: for a personal chat's owner (`viewer`), or nameless in the channel."""
    kind = copy.purpose.partition(":")[0]
    if kind == CHANNEL_LINE:
        view = await removal_view(services, case, named=False, request_id=request_id, watchers=shared)
        return None if view is None else render(kind, view)
    if viewer is None or not has_role_on(viewer, case):
        return notice_card(f"Case {case.reference} is no longer available to you.")
    own = await teams_id(services, viewer.aad_object_id)
    view = await removal_view(services, case, named=True, request_id=request_id, watchers=(own,) if own else None)
    return None if view is None else render(kind, view)


async def refresh_removal_cards(services: Services, case: Case, *, request_id: str | None = None,
                                skip: set[str] = frozenset()) -> None:
    """Every card about one request (by default the latest), updated in place for everyone: the officers',
    the channel line, the school's. Other requests' cards keep their own record."""
    if services.messenger is None:
        return
    store = services.store
    requests = requests_of(await store.cases.history(case.id))
    request = _pick(requests, request_id)
    if request is None:
        return
    purposes = (*KINDS, *(purpose(kind, request.id) for kind in KINDS))
    shared = await people_on_the_case(services, case)
    for copy in await store.card_messages.latest(case.id, purposes):
        if copy.activity_id in skip or _kind_and_request(copy, requests)[1] != request.id:
            continue
        conversation = await store.conversations.get(copy.conversation_id.split(";", 1)[0])
        if conversation is None or not conversation.alive:
            continue
        is_line = copy.purpose.startswith(CHANNEL_LINE)
        reference = channel_reference(conversation.reference, copy.conversation_id) if is_line \
            else conversation.reference
        viewer = None if is_line else await store.people.roles_of(copy.audience or "")
        card = await _card_for(services, case, copy, request.id, viewer, shared)
        try:
            named = viewer is not None and has_role_on(viewer, case)
            await services.messenger.update(reference, copy.activity_id, PupilMessage(
                card=card, reader=viewer, cases=(case,)) if named else Message(card=card))
        except DeliveryError as error:
            log.warning("could not update a removal card of %s: %s", case.reference, error)
            continue
        await store.card_messages.updated(case.id, copy.activity_id, card_text(card))


async def current_removal_card(services: Services, reference: str, conversation_id: str, activity_id: str,
                               viewer: PersonRoles) -> dict | None:
    """What a posted removal card shows now, for Teams' refresh: the channel line (nameless) to anyone in its
    channel, a personal card to its owner while they have a role on the case; None for a card not ours here."""
    store = services.store
    case = await store.cases.get(reference)
    copy = await store.card_messages.posted(case.id, activity_id) if case else None
    if copy is None or not copy.purpose.startswith(KINDS) \
            or copy.conversation_id.split(";", 1)[0] != conversation_id.split(";", 1)[0]:
        return None
    line = copy.purpose.startswith(CHANNEL_LINE)
    if not line and copy.audience != viewer.aad_object_id:
        return None
    requests = requests_of(await store.cases.history(case.id))
    request_id = _kind_and_request(copy, requests)[1]
    shared = await people_on_the_case(services, case) if line else None
    return await _card_for(services, case, copy, request_id, viewer, shared)
