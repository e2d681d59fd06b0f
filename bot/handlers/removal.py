"""Removal from roll: the request from the case card or the Day 20 card, the tracking officer's decision,
and the school's confirmation. Decisions are Action.Execute: the answer is the officer's card, decided."""

from __future__ import annotations

import uuid
from datetime import date
from functools import partial

from bot.access import can_work, has_role_on, is_officer_of, not_found
from bot.context import Context
from bot.handlers.steps import Surface, load_case, record_step, take_step
from bot.routes import Place, Routes
from bot.turn import PupilMessage
from bot.verbs import Verb
from bot.views.case_cards import refresh_other_copies
from bot.views.removal_cards import (
    current_removal_card,
    latest_request,
    people_on_the_case,
    refresh_removal_cards,
    removal_view,
    send_decision_to_school,
)
from cards.notice import notice_card
from cards.removal import removal_channel_card, removal_request_card, removal_school_card, sentence
from cards.text import user_text
from cme.calendar import SchoolCalendar
from cme.case import Case
from cme.casework import Change
from cme.lifecycle import ProcedureError
from cme.milestones import Milestone
from cme.removal import (
    LEGAL_TESTS,
    agree_removal,
    ask_more_enquiries,
    confirm_removed,
    decline_removal,
    request_removal,
)
from cme.roles import REMOVAL_REQUESTERS, Role

routes = Routes()


OFFICER = frozenset({Role.TRACKING_OFFICER})


async def request(context: Context, surface: Surface) -> dict | None:
    """Request removal from roll from the case card or the Day 20 card; the tracking officer is told once."""
    request_id = uuid.uuid4().hex[:16]
    confirmed = [key for key, _, _ in LEGAL_TESTS if context.card.flag(key)]
    return await take_step(context, surface, lambda case, calendar, today: request_removal(
        case, calendar, today, request_id, confirmed, context.actor.name), milestone=Milestone.DAY_20,
        already="Already requested: nothing was sent twice.")


routes.action(Verb.CASE_REMOVAL_REQUEST, roles=REMOVAL_REQUESTERS, where=Place.PERSONAL)(
    partial(request, surface=Surface.CASE_CARD))
routes.action(Verb.REMINDER_REMOVAL, roles=REMOVAL_REQUESTERS, where=Place.CHANNEL)(
    partial(request, surface=Surface.CHANNEL_CARD))


def _named(render, context: Context, case: Case, view, **said) -> PupilMessage:
    """A card naming the pupil, for the personal chat of the person who pressed the button."""
    return PupilMessage(card=render(view, **said), reader=context.person, cases=(case,))


async def _decide(context: Context, decide) -> dict | PupilMessage:
    """Record the officer's decision once; a later click, or another officer's, sees who decided and when."""
    case = await load_case(context)
    if case is None or not is_officer_of(context.person, case, OFFICER):
        return notice_card(not_found(context.card.text("case")))
    request = latest_request(await context.store.cases.history(case.id))
    if request is None:
        return notice_card(f"There is no removal request for {case.reference}.")
    asked = context.card.text("request", limit=64)

    def step(fresh: Case, calendar: SchoolCalendar, today: date) -> Change:
        return decide(fresh, calendar, today, asked, request.id)

    result = await record_step(context, case, step)
    in_channel = not context.turn.in_personal_chat  # the channel's line: never the pupil's name
    watchers = await people_on_the_case(context.services, result.case) if in_channel else _own(context)
    view = await removal_view(context.services, result.case, named=not in_channel, request_id=asked,
                              watchers=watchers)
    render = removal_channel_card if in_channel else partial(_named, removal_request_card, context, result.case)
    if result.change:
        # The pressed card too when it is the channel's: the answer changes it for the clicker alone.
        await refresh_removal_cards(context.services, result.case, request_id=request.id,
                                    skip=set() if in_channel else {context.turn.reply_to_id or ""})
        await refresh_other_copies(context.services, result.case, skip=set())
        await send_decision_to_school(context.services, result.case)
        said = user_text(result.change.summary.split(":")[0] if in_channel else result.change.summary)
        return render(view, notice=f"{sentence(said)} The school has been told.")
    if view.decision or view.removed or asked != view.request_id:
        return render(view, notice="This request was already decided.")
    return render(view, problem=result.problem)


@routes.action(Verb.REMOVAL_AGREE, roles=OFFICER, where=Place.PERSONAL_OR_CHANNEL)
async def agree(context: Context) -> dict | PupilMessage:
    return await _decide(context, agree_removal)


@routes.action(Verb.REMOVAL_DECLINE, roles=OFFICER, where=Place.PERSONAL_OR_CHANNEL)
async def decline(context: Context) -> dict | PupilMessage:
    why = context.card.text("why")
    return await _decide(context, lambda case, _cal, today, asked, current: decline_removal(
        case, today, asked, current, why))


@routes.action(Verb.REMOVAL_MORE, roles=OFFICER, where=Place.PERSONAL_OR_CHANNEL)
async def more_enquiries(context: Context) -> dict | PupilMessage:
    why = context.card.text("why")
    return await _decide(context, lambda case, _cal, today, asked, current: ask_more_enquiries(
        case, today, asked, current, why))


@routes.action(Verb.REMOVAL_CONFIRM, roles={Role.SCHOOL_STAFF}, where=Place.PERSONAL)
async def confirm(context: Context) -> dict | PupilMessage:
    case = await load_case(context)
    if case is None:
        return notice_card(not_found(context.card.text("case")))
    if not can_work(context.person, case):
        raise ProcedureError("Only the school's staff can confirm that the pupil was removed from roll.")
    card = context.card
    ctf_sent_on, return_sent_on = card.date("ctf_sent_on"), card.date("return_sent_on")
    result = await record_step(context, case, lambda fresh, _cal, today: confirm_removed(
        fresh, today, ctf_sent_on, return_sent_on))
    view = await removal_view(context.services, result.case, named=True,
                              request_id=card.text("request", limit=64) or None, watchers=_own(context))
    if result.change:
        await refresh_removal_cards(context.services, result.case, skip={context.turn.reply_to_id or ""})
        await refresh_other_copies(context.services, result.case, skip=set())
        return _named(removal_school_card, context, result.case, view, notice=user_text(result.change.summary))
    if view is None:  # no removal request: the procedure refused (result.problem)
        return notice_card(result.problem or f"There is no removal request for {case.reference}.")
    if view.removed:
        return _named(removal_school_card, context, result.case, view, notice="Already confirmed.")
    return _named(removal_school_card, context, result.case, view, notice=result.problem)


def _own(context: Context) -> tuple[str, ...]:
    """The clicker's Teams id: a card in their personal chat refreshes for them."""
    own = (context.turn.reference.get("user") or {}).get("id")
    return (own,) if own else ()


@routes.action(Verb.REMOVAL_REFRESH, where=Place.PERSONAL_OR_CHANNEL)
async def refresh(context: Context) -> dict | PupilMessage | None:
    """Teams asks for a removal card as it now stands, for the person viewing it; nothing is changed."""
    turn = context.turn
    card = await current_removal_card(context.services, context.card.text("case"), turn.conversation_id,
                                      turn.reply_to_id or "", context.person)
    case = await load_case(context) if card is not None and turn.in_personal_chat else None
    if case is None or not has_role_on(context.person, case):
        return card
    return PupilMessage(card=card, reader=context.person, cases=(case,))
