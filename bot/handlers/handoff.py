"""Handing a child over to another local authority (policy 8.4.2, cme/handoff.py): the sending tracking officer's
"Outside the area" and "Recorded as sent" on the case card, and the receiving authority's tracking officer's Accept
(on the case card in their personal chat, or on the nameless line in their channel)."""

from __future__ import annotations

from datetime import date

from bot.access import is_officer_of, not_found
from bot.context import Context
from bot.handlers.steps import StepResult, load_case, record_step
from bot.routes import Place, Routes
from bot.verbs import Verb
from bot.views.case_cards import refresh_other_copies, update_case_card_here
from bot.views.handoff_cards import (
    accepted_words,
    line_of,
    refresh_handoff_lines,
    send_handoff,
    tell_sending_officers,
)
from cards.handoff import handoff_line_card
from cards.notice import notice_card
from cards.text import user_text
from cme.calendar import SchoolCalendar
from cme.case import Case
from cme.casework import Change
from cme.handoff import ANOTHER, accept, hand_off, notification_sent
from cme.lifecycle import ProcedureError
from cme.roles import Role
from storage.handoffs import Handoff, Handoffs

routes = Routes()
OFFICERS = frozenset({Role.TRACKING_OFFICER})


async def _receiving(context: Context) -> tuple[int | None, str]:
    """The authority chosen on the form: one of the deployment's (its id and name), or another, typed."""
    card = context.card
    chosen = card.text("receiving_authority_id", limit=20)
    if chosen == ANOTHER or not chosen:
        return None, card.text("receiving_authority", limit=200)
    if not (chosen.isascii() and chosen.isdigit()):
        raise ProcedureError("Choose the receiving authority from the list.")
    known = {a.id: a.name for a in await context.store.schools.authorities()}
    if int(chosen) not in known:
        raise ProcedureError("Choose the receiving authority from the list.")
    return int(chosen), known[int(chosen)]


async def _answer(context: Context, result: StepResult, *, refreshed: bool = False) -> None:
    if result.change and not refreshed:
        await refresh_other_copies(context.services, result.case, skip={context.turn.reply_to_id or ""})
    await update_case_card_here(context, result.case, problem=result.problem, notice=(
        "Already recorded: nothing was saved twice." if result.already
        else user_text(result.change.summary) if result.change else None))


@routes.action(Verb.HANDOFF_SEND, roles=OFFICERS, where=Place.PERSONAL)
async def send(context: Context) -> None:
    """Outside the area: handed to the authority chosen; one on this deployment is sent the case at once."""
    case = await load_case(context)
    if case is None:
        await context.reply(not_found(context.card.text("case") or "(no reference)"))
        return
    address = context.card.text("forwarding_address", limit=300)
    try:
        to_id, to_name = await _receiving(context)
    except ProcedureError as error:
        await update_case_card_here(context, case, problem=str(error))
        return
    sending = await context.store.schools.authority(case.authority_id) if case.authority_id else None
    from_name = sending.name if sending else ""

    def decide(fresh: Case, _calendar: SchoolCalendar, today: date) -> Change:
        if not is_officer_of(context.person, fresh, OFFICERS):
            raise ProcedureError("Only the local authority's CME Pupil Tracking Officer records this.")
        return hand_off(fresh, to_id, to_name, from_name, address, today)

    result = await record_step(context, case, decide, also=lambda change: Handoffs.sending(
        case.authority_id, from_name, to_id, change.case.handoff.to_name, change.case.handoff.since, context.actor,
        f"{context.turn.verb}:{context.card.text('key', context.turn.activity_id, limit=64)}"))
    if result.change:
        await refresh_other_copies(context.services, result.case, skip={context.turn.reply_to_id or ""})
    if result.change and result.case.handoff.on_deployment:
        if not await send_handoff(context.services, result.case, result.case.handoff):
            await context.reply(f"I could not reach {user_text(to_name)}'s tracking officers through Teams: please "
                                f"tell them about {case.reference} by phone or secure e-mail.")
    await _answer(context, result, refreshed=True)


@routes.action(Verb.HANDOFF_NOTIFIED, roles=OFFICERS, where=Place.PERSONAL)
async def notified(context: Context) -> None:
    """The notification to an authority not on this deployment was sent: the case closes, located outside the area."""
    case = await load_case(context)
    if case is None:
        await context.reply(not_found(context.card.text("case") or "(no reference)"))
        return
    sent_on = context.card.date("sent_on")

    def decide(fresh: Case, _calendar: SchoolCalendar, today: date) -> Change:
        if not is_officer_of(context.person, fresh, OFFICERS):
            raise ProcedureError("Only the local authority's CME Pupil Tracking Officer records this.")
        return notification_sent(fresh, sent_on, today)

    today = context.services.today()
    result = await record_step(context, case, decide, also=lambda _change: Handoffs.notifying(sent_on, today))
    await _answer(context, result)


def _latest(handoffs: list[Handoff]) -> Handoff | None:
    return handoffs[-1] if handoffs else None


@routes.action(Verb.HANDOFF_ACCEPT, roles=OFFICERS, where=Place.PERSONAL_OR_CHANNEL)
async def accept_handoff(context: Context) -> dict | None:
    """A tracking officer of the receiving authority accepts: the child is on its register; anyone else is refused."""
    in_channel = not context.turn.in_personal_chat
    case = await load_case(context)
    if case is None:
        words = not_found(context.card.text("case") or "(no reference)")
        if in_channel:
            return notice_card(words)
        await context.reply(words)
        return None
    mine = context.person.authority_ids(OFFICERS)
    today = context.services.today()
    result = await record_step(context, case, lambda fresh, _calendar, on: accept(fresh, mine, on),
                               also=lambda _change: Handoffs.accepting(today, context.actor))
    handoff = _latest(await context.store.handoffs.of_case(case.id))
    if result.change and handoff is not None:
        # Every copy: the case cards (now the receiving officers' to work, no longer the sending officers'), the lines
        pressed = {context.turn.reply_to_id or ""}
        await refresh_other_copies(context.services, result.case, skip=set() if in_channel else pressed)
        await refresh_handoff_lines(context.services, result.case, handoff, skip=pressed if in_channel else set())
        await tell_sending_officers(context.services, result.case, handoff, accepted_words(case.reference, handoff,
                                                                                          today))
    elif handoff is not None and handoff.accepted_on and result.problem:
        result = StepResult(result.case, problem=f"Already accepted by {handoff.accepted_by_name} on "
                                                 f"{handoff.accepted_on:%-d %B %Y}: nothing was recorded twice.")
    if in_channel:
        return _line_answer(case.reference, handoff, result)
    await _answer(context, result, refreshed=True)
    return None


def _line_answer(reference: str, handoff: Handoff | None, result: StepResult) -> dict:
    """The channel line as it now stands, with a word for the clicker: never the child's name."""
    if handoff is None:
        return notice_card(result.problem or "There is no hand-off for this case.")
    said = result.problem or ("Accepted: the child is on your register now." if result.change else None)
    return handoff_line_card(line_of(reference, handoff, notice=said))
