"""Handing a child over to another local authority (policy 8.4.2, cme/handoff.py): the sending tracking officer's
"Outside the area", "Recorded as sent" and "Withdraw" on the case card, and the receiving authority's tracking
officer's Accept (on the case card in their personal chat, or on the nameless line in their channel) and Decline with
a reason (on the case card)."""

from __future__ import annotations

from datetime import date

from bot.access import has_role_on, is_officer_of, not_found
from bot.context import Context
from bot.handlers.steps import StepResult, load_case, record_step
from bot.routes import Place, Routes
from bot.turn import Message
from bot.verbs import Verb
from bot.views.case_cards import refresh_other_copies, update_case_card_here
from bot.views.handoff_cards import (
    accepted_words,
    declined_words,
    ended_words,
    how_it_ended,
    line_of,
    refresh_handoff_lines,
    send_handoff,
    tell_sending_officers,
    withdrawn_words,
)
from cards.handoff import handoff_line_card
from cards.notice import notice_card
from cards.text import user_text
from cme.calendar import SchoolCalendar
from cme.case import Case
from cme.casework import Change
from cme.handoff import ANOTHER, accept, decline, hand_off, notification_sent, withdraw
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
    mine = context.person.authority_ids(OFFICERS)
    today = context.services.today()
    if case is None:
        return await _not_yours_now(context, in_channel)
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


async def _ended_for(context: Context) -> tuple[str, Handoff] | None:
    """A hand-off to one of the presser's authorities, withdrawn or declined since (the case is no longer theirs to
    see): how it ended, by reference and authority only."""
    reference = context.card.text("case")
    case = await context.store.cases.get(reference) if reference else None
    handoff = _latest(await context.store.handoffs.of_case(case.id)) if case else None
    if handoff is None or handoff.to_authority_id not in context.person.authority_ids(OFFICERS):
        return None
    words = await how_it_ended(context.store, case.id, handoff)
    return (words, handoff) if words else None


async def _not_yours_now(context: Context, in_channel: bool) -> dict | None:
    """Accept or Decline pressed on a case the presser cannot see: the hand-off ended, or it never was theirs."""
    ended = await _ended_for(context)
    reference = context.card.text("case") or "(no reference)"
    words = f"{reference}: {ended[0]} Nothing was recorded." if ended else not_found(reference)
    if in_channel:
        return handoff_line_card(line_of(reference, ended[1], notice="Nothing was recorded.", ended=ended[0])) \
            if ended else notice_card(words)
    await context.reply(words)
    return None


@routes.action(Verb.HANDOFF_WITHDRAW, roles=OFFICERS, where=Place.PERSONAL)
async def withdraw_handoff(context: Context) -> None:
    """The sending tracking officer takes the hand-off back: the child stays on their register, out of provision; the
    receiving officers' copies and the channel line say it was withdrawn."""
    case = await load_case(context)
    if case is None:
        await context.reply(not_found(context.card.text("case") or "(no reference)"))
        return

    def decide(fresh: Case, _calendar: SchoolCalendar, today: date) -> Change:
        if not is_officer_of(context.person, fresh, OFFICERS):
            raise ProcedureError("Only the local authority's CME Pupil Tracking Officer withdraws a hand-off.")
        return withdraw(fresh, today)

    today = context.services.today()
    result = await record_step(context, case, decide, also=lambda _change: Handoffs.ending(today))
    handoff = _latest(await context.store.handoffs.of_case(case.id)) if result.change else None
    if handoff is not None:
        pressed = {context.turn.reply_to_id or ""}
        await refresh_other_copies(context.services, result.case, skip=pressed,
                                   gone=withdrawn_words(case.reference, handoff))
        await refresh_handoff_lines(context.services, result.case, handoff, skip=set(),
                                    ended=ended_words("handoff_withdrawn", handoff))
    await _answer(context, result, refreshed=True)


@routes.action(Verb.HANDOFF_DECLINE, roles=OFFICERS, where=Place.PERSONAL)
async def decline_handoff(context: Context) -> None:
    """A tracking officer of the receiving authority declines, saying why: the sending officers are told in their
    personal chats, and the child stays on their register marked as declined."""
    case = await load_case(context)
    if case is None:
        await _not_yours_now(context, in_channel=False)
        return
    reason, mine = context.card.text("reason", limit=500), context.person.authority_ids(OFFICERS)
    today = context.services.today()
    result = await record_step(context, case, lambda fresh, _calendar, on: decline(
        fresh, mine, reason, context.person.name, on), also=lambda _change: Handoffs.ending(today))
    if result.problem:
        if has_role_on(context.person, result.case):
            await update_case_card_here(context, result.case, problem=result.problem)
        else:  # withdrawn (or declined by a colleague) meanwhile: no longer theirs to see
            await _answer_without_case(context, f"{case.reference}: {result.problem} Nothing was recorded.")
        return
    if result.change:
        handoff = _latest(await context.store.handoffs.of_case(case.id))
        pressed = {context.turn.reply_to_id or ""}
        await refresh_other_copies(context.services, result.case, skip=pressed, gone=(
            f"Case {case.reference}: declined by {handoff.to_name}. It is no longer available to you."))
        await refresh_handoff_lines(context.services, result.case, handoff, skip=set(),
                                    ended=ended_words("handoff_declined", handoff))
        await tell_sending_officers(context.services, result.case, handoff, declined_words(
            case.reference, handoff, result.case.handoff_declined), named=True)
    words = (f"Declined: {case.reference} stays on the sending authority's register, and its tracking officers are "
             "told why." if result.change else "Already declined: nothing was recorded twice.")
    await _answer_without_case(context, f"{words} The case is no longer available to you.")


async def _answer_without_case(context: Context, words: str) -> None:
    """The card pressed, in place, once the presser has no role on the case any more: by reference only."""
    if context.turn.reply_to_id:
        await context.outbox.update(context.turn.reply_to_id, Message(card=notice_card(words)))
    else:
        await context.reply(words)
