"""`expected starter` and `expected starters`: pupils a school expects from an agreed first day (policy section 6).

**Arrived** is the new pupil return to the local authority; a pupil not arrived within 5 school days becomes a CME
case ("never started provision") from the list, or from the non-arrival card the daily job posts in the school's
reminders channel (bot/daily/expected_starters.py). Names only in the personal chat of the school's staff.
"""

from __future__ import annotations

import logging
import uuid

from bot.context import Context
from bot.routes import Place, Routes
from bot.sending.errors import DeliveryError
from bot.sending.personal_chats import send_to_person
from bot.turn import PupilMessage
from bot.verbs import Verb
from bot.views.case_cards import CASE_CARD, case_view
from bot.views.expected_starters import (
    non_arrival_view,
    refresh_non_arrival_card,
    starter_list,
    tell_of_arrival,
)
from cards.case_card import case_card
from cards.expected_starters import (
    non_arrival_card,
    starter_form_card,
    starter_saved_card,
    starters_list_card,
)
from cards.notice import notice_card
from cards.text import user_text
from cme.case import Case
from cme.casework import new_case
from cme.expected_starters import (
    ARRIVAL_FIELDS,
    FIELDS,
    Starter,
    Status,
    already,
    arrive,
    check_arrival,
    check_starter,
    never_started,
    non_arrival_due,
    parse_reference,
)
from cme.lifecycle import ProcedureError
from cme.roles import Role
from storage.cases import NewEvent
from storage.expected_starters import case_key

log = logging.getLogger(__name__)
routes = Routes()
STAFF = {Role.SCHOOL_STAFF}


def _schools(context: Context) -> list[tuple[int, str]]:
    return [(g.school_id, g.school_name or "") for g in context.person.grants
            if g.role is Role.SCHOOL_STAFF and g.school_id is not None]


async def _answer(context: Context, message: PupilMessage) -> None:
    """In place of the card pressed, else as a new message."""
    if context.turn.reply_to_id:
        await context.outbox.update(context.turn.reply_to_id, message)
    else:
        await context.outbox.send(message)


@routes.command("expected starter", description="record a pupil your school expects from an agreed first day",
                roles=STAFF, where=Place.PERSONAL)
async def expected_starter(context: Context) -> None:
    schools = _schools(context)
    values = {"school_id": str(schools[0][0])} if schools else {}
    await context.outbox.send(PupilMessage(card=starter_form_card(uuid.uuid4().hex, values, {}, schools,
                                                                  context.services.today()), reader=context.person))


@routes.action(Verb.STARTER_ADD, roles=STAFF, where=Place.PERSONAL)
async def add_starter(context: Context) -> None:
    card, schools, today = context.card, _schools(context), context.services.today()
    values = {key: card.text(key).strip() for key in FIELDS} | {"school_id": card.text("school_id", limit=20)}
    school_id = card.number("school_id", None, high=2**31 - 1) if values["school_id"].isdigit() else None
    school = await context.store.schools.get(school_id) if school_id in dict(schools) else None
    calendar = context.services.calendars.for_school(school)
    starter, errors = check_starter(values, school.id if school else 0, calendar, today)
    if school is None:
        errors["school_id"] = "Choose one of your schools."
    if errors or starter is None:
        form_id = card.text("form", limit=64) or uuid.uuid4().hex
        await _answer(context, PupilMessage(card=starter_form_card(form_id, values, errors, schools, today),
                                            reader=context.person))  # what they typed
        return
    starter, created = await context.store.expected_starters.add(starter, context.actor)
    if created:
        log.info("expected starter %s recorded at school %s", starter.reference, school.urn)
    await _answer(context, PupilMessage(card=starter_saved_card(
        starter.reference, starter.pupil.full_name, starter.first_day, non_arrival_due(starter, calendar), created),
        reader=context.person))


@routes.command("expected starters", description="your school's expected starters: Arrived, or Not arrived",
                roles=STAFF, where=Place.PERSONAL)
async def expected_starters(context: Context) -> None:
    await _show_list(context)


async def _show_list(context: Context, **said) -> None:
    view = await starter_list(context.services, context.person, **said)
    await _answer(context, PupilMessage(card=starters_list_card(view), reader=context.person))


async def _starter(context: Context) -> Starter | None:
    """The starter a button is about, if it is of one of the presser's schools; else None, the list shown again
    saying so."""
    text = context.card.text("starter", limit=20)
    starter_id = int(text) if text.isascii() and text.isdigit() else parse_reference(text)
    starter = await context.store.expected_starters.get(starter_id) if starter_id and starter_id < 2**62 else None
    if starter is None or starter.school_id not in context.person.school_ids():
        await _show_list(context, problem="I cannot find that expected starter at your school.")
        return None
    return starter


@routes.action(Verb.STARTER_ARRIVED, roles=STAFF, where=Place.PERSONAL)
async def arrived(context: Context) -> None:
    """The new pupil return: recorded once, then told to the authority's tracking officers."""
    if (starter := await _starter(context)) is None:
        return
    values = {key: context.card.text(key).strip() for key in ARRIVAL_FIELDS}
    school = await context.store.schools.get(starter.school_id)
    try:
        already(starter)
        arrival, errors = check_arrival(starter, values, context.services.calendars.for_school(school),
                                        context.services.today())
    except ProcedureError as error:
        await _show_list(context, problem=str(error))
        return
    if arrival is None:
        problem = f"{starter.reference}, Arrived: " + " ".join(errors.values()) + " What you typed is kept under " \
                                                                                  "Arrived."
        await _show_list(context, problem=problem, typed=values, typed_for=starter.id)
        return
    after = arrive(starter, arrival)
    if not await context.store.expected_starters.arrived(after, context.actor):
        fresh = await context.store.expected_starters.get(starter.id)
        try:
            already(fresh)
        except ProcedureError as error:
            await _show_list(context, notice=str(error))
        return
    log.info("expected starter %s arrived: new pupil return", starter.reference)
    told = await tell_of_arrival(context.services, after, school, context.actor.name)
    await refresh_non_arrival_card(context.services, after)
    await _show_list(context, notice=f"{starter.reference} arrived: the new pupil return went to the local "
                                     f"authority ({told} place{'s' if told != 1 else ''} told).")


@routes.action(Verb.STARTER_NOT_ARRIVED, roles=STAFF, where=Place.PERSONAL)
async def not_arrived(context: Context) -> None:
    if (starter := await _starter(context)) is None:
        return
    try:
        case, created = await make_case(context, starter)
    except ProcedureError as error:
        await _show_list(context, problem=str(error))
        return
    fresh = await context.store.expected_starters.get(starter.id)
    await refresh_non_arrival_card(context.services, fresh)
    await _show_list(context, notice=f"{starter.reference} is CME case {case.reference}" +
                     (": its case card is below." if created else " already."))
    if created:
        await context.outbox.send(PupilMessage(card=case_card(await case_view(context.services, case, context.person)),
                                               reader=context.person, cases=(case,)))


@routes.action(Verb.STARTER_CASE, roles=STAFF, where=Place.CHANNEL)
async def case_from_channel(context: Context) -> dict:
    """The non-arrival card's button: the card answers in place, by reference only."""
    starter_id = parse_reference(context.card.text("starter", limit=20))
    starter = await context.store.expected_starters.get(starter_id) if starter_id and starter_id < 2**62 else None
    if starter is None or starter.school_id not in context.person.school_ids():
        return notice_card("Only the school's staff can make this a CME case. Nothing was changed.")
    school = await context.store.schools.get(starter.school_id)
    try:
        case, created = await make_case(context, starter)
    except ProcedureError as error:
        fresh = await context.store.expected_starters.get(starter.id)
        return non_arrival_card(non_arrival_view(context.services, fresh, school, context.services.today(),
                                                 said=_nameless(str(error), fresh)))
    fresh = await context.store.expected_starters.get(starter.id)
    said = f"Made CME case {case.reference} by {user_text(context.actor.name)}." if created else \
        f"Already CME case {case.reference}: nothing was made twice."
    if created:
        await _case_to_personal_chat(context, case)
    return non_arrival_card(non_arrival_view(context.services, fresh, school, context.services.today(), said=said))


def _nameless(words: str, starter: Starter) -> str:
    """What a refusal says, fit for the channel: our own words, about the reference only."""
    if starter.status is Status.ARRIVED:
        return "The pupil arrived: nothing was changed."
    if starter.status is Status.CASE:
        return f"Already CME case {starter.case_reference}: nothing was made twice."
    return words


async def _case_to_personal_chat(context: Context, case: Case) -> None:
    view = await case_view(context.services, case, context.person, notice=f"Made CME case {case.reference}: "
                                                                          "the pupil never started.")
    try:
        sent = await send_to_person(context.services, context.person.aad_object_id,
                                    PupilMessage(card=case_card(view), reader=context.person, cases=(case,)))
    except DeliveryError:
        return
    await context.store.card_messages.add(case.id, CASE_CARD, sent.conversation_id, sent.activity_id,
                                          context.person.aad_object_id, text=sent.text,
                                          conversation_kind=sent.conversation_kind)


async def make_case(context: Context, starter: Starter) -> tuple[Case, bool]:
    """A CME case from the agreed first day, reason never started provision, made as the report makes one (one
    case, whoever presses and however often: claimed on the starter first, then made under the starter's key)."""
    store, today = context.store, context.services.today()
    school = await store.schools.get(starter.school_id)
    calendar = context.services.calendars.for_school(school)
    if starter.status is not Status.CASE or starter.case_reference:
        already(starter)
    report = never_started(starter, calendar, today)
    if starter.status is Status.EXPECTED and not await store.expected_starters.claim_case(starter.id, context.actor):
        already(await store.expected_starters.get(starter.id))
    case, due = new_case(report, calendar, today)
    case.authority_id = school.authority_id
    case, created = await store.cases.create(case, NewEvent("expected_starter_not_arrived", {
        "day": case.day_number(calendar, today), "school_id": school.id, "starter": starter.reference,
        "agreed_first_day": starter.first_day.isoformat()}, context.actor), due, submission_key=case_key(starter.id))
    await store.expected_starters.case_made(starter.id, case.id, case.reference, context.actor)
    if created:
        log.info("case %s made from expected starter %s who did not arrive", case.reference, starter.reference)
    return case, created
