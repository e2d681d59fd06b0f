"""`deletion return` and `deletion returns`: the school tells its local authority of every deletion from the admission
register (policy 6; regulation 13(4) of the 2024 regulations), and the authority's tracking officer acknowledges it.

The return names the pupil and parents, so it goes only to personal chats: the school's staff and the tracking
officers of the school's authority; the authority's channel gets a line with the reference, school and ground.
A return made from a CME case opens filled in from the case. Each return is a record of its own with an
append-only history (storage/deletion_returns.py), whether or not there is a case.
"""

from __future__ import annotations

import logging
import uuid

from bot.access import has_role_on
from bot.context import Context
from bot.handlers.steps import load_case
from bot.routes import Place, Routes
from bot.sending.channels import post_to_channel
from bot.sending.errors import DeliveryError
from bot.sending.personal_chats import send_to_person
from bot.services import Services
from bot.turn import Message, PupilMessage
from bot.verbs import Verb
from bot.views.deletion_return_history import ACKNOWLEDGED, SENT, record_on_case
from bot.views.removal_cards import refresh_removal_cards
from cards.base import LONDON
from cards.deletion_return import (
    ListedReturn,
    ReturnForm,
    ReturnView,
    deletion_return_card,
    deletion_return_form_card,
    deletion_return_line_card,
    deletion_returns_card,
)
from cards.notice import notice_card
from cards.text import user_text
from cme.case import Case
from cme.deletion_return import FIELDS, check_return, from_case
from cme.roles import Role
from storage.cases import Actor
from storage.deletion_returns import POSTED, ReturnRecord
from storage.people import PersonRoles
from storage.schools import SchoolInfo

log = logging.getLogger(__name__)
routes = Routes()

STAFF = frozenset({Role.SCHOOL_STAFF})
OFFICER = frozenset({Role.TRACKING_OFFICER})
NOT_FOUND = "I cannot find that deletion return among those you work on. Say **deletion returns** to see them."


def may_see(person: PersonRoles, record: ReturnRecord) -> bool:
    """The school's staff, and the tracking officers of its authority: nobody else sees a return's names."""
    return record.school_id in person.school_ids() or record.authority_id in person.authority_ids(OFFICER)


def _is_officer_for(person: PersonRoles, record: ReturnRecord) -> bool:
    return record.authority_id in person.authority_ids(OFFICER)


async def _schools(context: Context) -> list[tuple[int, str]]:
    found = await context.store.schools.of(set(context.person.school_ids()))
    return [(school.id, school.name) for school in found.values()]


async def _case_of(services: Services, record: ReturnRecord) -> Case | None:
    return await services.store.cases.by_id(record.case_id) if record.case_id else None


async def _message(services: Services, record: ReturnRecord, reader: PersonRoles, *,
                   notice: str | None = None) -> PupilMessage:
    school = await services.store.schools.get(record.school_id)
    case = await _case_of(services, record)
    view = ReturnView(record.reference, record.id, school.name if school else "", record.deletion_return,
                      record.sent_at, record.sent_by_name, record.acknowledged_at, record.acknowledged_by_name,
                      case.reference if case else "", _is_officer_for(reader, record), notice, record.sent_on)
    cases = (case,) if case is not None and has_role_on(reader, case) else ()
    return PupilMessage(card=deletion_return_card(view), summary=f"Deletion return {record.reference}",
                        reader=reader, cases=cases)


async def _answer_here(context: Context, message: Message) -> str | None:
    """The card pressed changes in place (a new one if there is none to change); its activity id."""
    if context.turn.reply_to_id:
        await context.outbox.update(context.turn.reply_to_id, message)
        return context.turn.reply_to_id
    return await context.outbox.send(message)


@routes.command("deletion return", description="tell the local authority you are deleting a pupil's name "
                "(the deletion return of regulation 13(4))", roles=STAFF, where=Place.PERSONAL)
async def new_return(context: Context) -> None:
    form = ReturnForm(uuid.uuid4().hex, {}, await _schools(context), context.services.today())
    await context.reply(card=deletion_return_form_card(form))


@routes.action(Verb.RETURN_OPEN, roles=STAFF, where=Place.PERSONAL)
async def open_from_case(context: Context) -> None:
    """Make the deletion return: the form filled in from the CME case (ground 9(1)(i), the off-roll date)."""
    case = await load_case(context)
    if case is None or case.school_id not in context.person.school_ids():
        await context.reply(NOT_FOUND)
        return
    school = await context.store.schools.get(case.school_id)
    form = ReturnForm(uuid.uuid4().hex, from_case(case.pupil, case.off_roll_date), [(school.id, school.name)],
                      context.services.today(), case.reference)
    await context.outbox.send(PupilMessage(card=deletion_return_form_card(form), reader=context.person, cases=(case,)))


def _typed(context: Context) -> dict[str, str]:
    return {key: context.card.text(key) for key in (*FIELDS, "school")}


async def _refuse(context: Context, values: dict, errors: dict, missing: list[str], case: Case | None,
                  schools: list[tuple[int, str]]) -> None:
    """The form again, as typed, each problem named: nothing is lost and nothing is sent."""
    form = ReturnForm(context.card.text("form", limit=64) or uuid.uuid4().hex, values, schools,
                      context.services.today(), case.reference if case else "", errors, missing)
    await _answer_here(context, PupilMessage(card=deletion_return_form_card(form), reader=context.person,
                                             cases=(case,) if case else ()))


@routes.action(Verb.RETURN_SUBMIT, roles=STAFF, where=Place.PERSONAL)
async def submit_return(context: Context) -> None:
    values, case = _typed(context), None
    if context.card.text("case", limit=40):
        case = await load_case(context)
        if case is None or case.school_id not in context.person.school_ids():
            await context.reply(NOT_FOUND)
            return
        values["school"] = str(case.school_id)
    schools = await _schools(context)
    if case is not None:
        schools = [(school_id, name) for school_id, name in schools if school_id == case.school_id]
    school_id = _school_chosen(values["school"])
    checked = check_return(values, earliest=case.off_roll_date if case else None)
    errors = dict(checked.errors)
    if school_id not in dict(schools):
        errors["school"] = "Choose your school."
    if errors:
        await _refuse(context, values, errors, checked.missing, case, schools)
        return
    school = await context.store.schools.get(school_id)
    record, created = await context.store.deletion_returns.create(
        checked.deletion_return, school_id=school.id, authority_id=school.authority_id,
        case_id=case.id if case else None, actor=context.actor,
        submission_key=context.card.text("form", limit=64) or uuid.uuid4().hex, sent_on=context.services.today())
    await _sent(context, record, school, case, created=created)


def _school_chosen(typed: str) -> int | None:
    return int(typed) if typed.isascii() and typed.isdigit() and len(typed) < 10 else None


async def _sent(context: Context, record: ReturnRecord, school: SchoolInfo, case: Case | None, *,
                created: bool) -> None:
    """A return submitted: when new, sent to the tracking officers and its case's removal card refreshed; recorded on
    its case, once; and the school told here (a redelivery or a double click: that it was sent already)."""
    told = await send_to_officers(context.services, record, school.name, context.actor) if created else 0
    if case is not None:  # in the case's history, once (keyed by the return: a redelivery finds it recorded)
        await record_on_case(context.services, record, SENT)
    if created and case is not None:  # the school's removal card: the return made, its date for Confirm removed
        await refresh_removal_cards(context.services, case)
    notice = (f"Sent to the local authority: {told} tracking officer{'' if told == 1 else 's'} told."
              if created else "Sent already: nothing was sent twice.")
    if created:
        log.info("deletion return %s sent", record.reference)
    activity_id = await _answer_here(context, await _message(context.services, record, context.person,
                                                             notice=notice))
    if created and activity_id:
        await context.store.deletion_returns.record(record.id, POSTED, {
            "conversation_id": context.turn.conversation_id, "activity_id": activity_id,
            "audience": context.person.aad_object_id}, context.actor)


async def send_to_officers(services: Services, record: ReturnRecord, school_name: str, actor: Actor) -> int:
    """The return to each tracking officer of the school's authority (personal chat), a nameless line in the
    authority's channel; each copy remembered in the return's history so the acknowledgement updates it."""
    store, told = services.store, 0
    if services.messenger is None:
        return 0
    for officer in await store.people.with_role(Role.TRACKING_OFFICER, authority_id=record.authority_id):
        if not _is_officer_for(officer, record):
            continue
        try:
            sent = await send_to_person(services, officer.aad_object_id, await _message(services, record, officer))
        except DeliveryError as error:
            log.warning("tracking officer not sent deletion return %s: %s", record.reference, error)
            continue
        await store.deletion_returns.record(record.id, POSTED, {
            "conversation_id": sent.conversation_id, "activity_id": sent.activity_id,
            "audience": officer.aad_object_id}, actor)
        told += 1
    line = deletion_return_line_card(record.reference, school_name, record.deletion_return.ground)
    try:
        await post_to_channel(services, await store.schools.authority_channel(record.authority_id),
                              Message(card=line, summary=f"Deletion return {record.reference}"))
    except DeliveryError as error:
        log.warning("local authority channel not told of deletion return %s: %s", record.reference, error)
    return told


async def _refresh_copies(services: Services, record: ReturnRecord, *, skip: set[str]) -> None:
    """Every copy posted of the return, as it now stands, for the person it was posted to."""
    if services.messenger is None:
        return
    for event in await services.store.deletion_returns.history(record.id):
        posted = event.data if event.kind == POSTED else {}
        if not posted or posted.get("activity_id") in skip:
            continue
        conversation = await services.store.conversations.get(posted["conversation_id"])
        if conversation is None or not conversation.alive:
            continue
        person = await services.store.people.roles_of(posted["audience"])
        message = (await _message(services, record, person) if may_see(person, record)
                   else Message(card=notice_card(f"Deletion return {record.reference} is no longer available to you.")))
        try:
            await services.messenger.update(conversation.reference, posted["activity_id"], message)
        except DeliveryError as error:
            log.warning("could not refresh a copy of deletion return %s: %s", record.reference, error)


async def _record_of(context: Context) -> ReturnRecord | None:
    return_id = context.card.number("id", None)
    record = await context.store.deletion_returns.get(return_id) if return_id else None
    return record if record is not None and may_see(context.person, record) else None


@routes.action(Verb.RETURN_ACK, roles=OFFICER, where=Place.PERSONAL)
async def acknowledge(context: Context) -> dict | PupilMessage:
    """The tracking officer of the school's authority acknowledges it, once; the school's copy shows by whom."""
    record = await _record_of(context)
    if record is None or not _is_officer_for(context.person, record):
        return notice_card(NOT_FOUND)
    done = await context.store.deletion_returns.acknowledge(record.id, context.actor)
    record = await context.store.deletion_returns.get(record.id)
    await record_on_case(context.services, record, ACKNOWLEDGED)  # once, by whoever acknowledged it
    if done:
        log.info("deletion return %s acknowledged", record.reference)
        await _refresh_copies(context.services, record, skip={context.turn.reply_to_id or ""})
        return await _message(context.services, record, context.person, notice="Acknowledged: the school sees it.")
    at = record.acknowledged_at.astimezone(LONDON)
    return await _message(context.services, record, context.person,
                          notice=f"Already acknowledged by {user_text(record.acknowledged_by_name)} on {at:%-d %B %Y at %H:%M}.")


@routes.action(Verb.RETURN_SHOW, roles=STAFF | OFFICER, where=Place.PERSONAL)
async def show(context: Context) -> None:
    record = await _record_of(context)
    if record is None:
        await context.reply(NOT_FOUND)
        return
    message = await _message(context.services, record, context.person)
    activity_id = await context.outbox.send(message)
    if activity_id:
        await context.store.deletion_returns.record(record.id, POSTED, {
            "conversation_id": context.turn.conversation_id, "activity_id": activity_id,
            "audience": context.person.aad_object_id}, context.actor)


async def _listed(context: Context, records: list[ReturnRecord]) -> list[ListedReturn]:
    schools = await context.store.schools.of({record.school_id for record in records})
    return [ListedReturn(r.id, r.reference, r.deletion_return.pupil_name,
                         schools[r.school_id].name if r.school_id in schools else "", r.deletion_return.ground,
                         r.deletion_return.deletion_on, r.sent_at, r.acknowledged_at, r.acknowledged_by_name or "")
            for r in records]


@routes.command("deletion returns", description="your school's deletion returns and whether each was acknowledged; "
                "a tracking officer's: those waiting for acknowledgement", roles=STAFF | OFFICER,
                where=Place.PERSONAL)
async def list_returns(context: Context) -> None:
    returns, person = context.store.deletion_returns, context.person
    sections = []
    if person.school_ids():
        sections.append(("Your school's deletion returns", await _listed(context, await returns.of_schools(
            person.school_ids()))))
    authorities = person.authority_ids(OFFICER)
    if authorities:
        sections.append(("Waiting for your acknowledgement", await _listed(
            context, await returns.outstanding(authorities))))
        sections.append(("Acknowledged lately", await _listed(context, await returns.acknowledged_lately(authorities))))
    card = deletion_returns_card("Deletion returns", sections, empty="No deletion returns yet.")
    await context.outbox.send(PupilMessage(card=card, summary="Deletion returns", reader=person))
