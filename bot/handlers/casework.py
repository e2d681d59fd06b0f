"""Working a case: enquiries, breaks, Day 1 risk notification and outcomes from the case card, and the Day 5
and Day 20 steps from the case card or the channel's Day 5 / Day 20 card (one handler each, both verbs)."""

from __future__ import annotations

from datetime import date
from functools import partial

from bot.access import not_found
from bot.context import Context
from bot.handlers.steps import StepResult, Surface, load_case, say, take_step
from bot.routes import Place, Routes
from bot.turn import Message
from bot.verbs import Verb
from cards.checklist_card import checklist_card
from cards.notice import notice_card
from cme.at_risk import GROUP_LABELS, REASON_LABELS
from cme.at_risk_change import change_at_risk
from cme.calendar import SchoolCalendar
from cme.case import Case
from cme.casework import (
    Change,
    complete_checklist,
    complete_cme_referral,
    contact_ews,
    log_enquiry,
    record_break,
    record_outcome,
    record_triage,
    review_day_20,
)
from cme.checklist import MISSING_PUPIL_CHECKLIST
from cme.lifecycle import Outcome, ProcedureError
from cme.milestones import BreakKind, Milestone
from cme.roles import AUTHORITY_WIDE, WORKERS

routes = Routes()


def _note(context: Context) -> str:
    return context.card.text("note")


@routes.action(Verb.CASE_ENQUIRY, roles=WORKERS, where=Place.PERSONAL)
async def enquiry(context: Context) -> None:
    card = context.card
    kind, said, note = card.text("kind", limit=200), card.text("outcome"), card.text("note")
    await take_step(context, Surface.CASE_CARD, lambda case, _cal, today: log_enquiry(case, kind, said, note, today))


@routes.action(Verb.CASE_BREAK, roles=WORKERS, where=Place.PERSONAL)
async def break_in_absence(context: Context) -> None:
    card = context.card
    kind, day = card.choice("break_kind", [k.value for k in BreakKind]), card.date("break_on")

    def decide(case: Case, calendar: SchoolCalendar, today: date) -> Change:
        if kind is None:
            raise ProcedureError("Say whether the pupil attended or the absence was authorised.")
        if day is None:
            raise ProcedureError("Give the day of the break as a date.")
        return record_break(case, BreakKind(kind), day, calendar, today)

    await take_step(context, Surface.CASE_CARD, decide)


@routes.action(Verb.CASE_TRIAGE, roles=WORKERS, where=Place.PERSONAL)
async def triage(context: Context) -> None:
    card = context.card
    notified, when, details = card.items("notified"), card.text("when", limit=200), card.text("details")
    await take_step(context, Surface.CASE_CARD, lambda case, _cal, today: record_triage(
        case, notified, when, details, today))


@routes.action(Verb.CASE_OUTCOME, roles=WORKERS, where=Place.PERSONAL)
async def outcome(context: Context) -> None:
    card = context.card
    by_officer = bool(context.person.roles & AUTHORITY_WIDE)
    chosen, start = card.choice("outcome", [o.value for o in Outcome]), card.date("start_date")
    new_school, address = card.text("new_school"), card.text("forwarding_address")

    def decide(case: Case, _calendar: SchoolCalendar, today: date) -> Change:
        if chosen is None:
            raise ProcedureError("Choose the outcome.")
        return record_outcome(case, Outcome(chosen), today, new_school=new_school, start_date=start,
                              forwarding_address=address, by_tracking_officer=by_officer)

    await take_step(context, Surface.CASE_CARD, decide)


@routes.action(Verb.CASE_AT_RISK, roles=WORKERS, where=Place.PERSONAL)
async def at_risk(context: Context) -> None:
    """The at-risk groups and reason changed by the school's staff or the authority's officers."""
    card = context.card
    groups, reason = card.items("risk_groups", GROUP_LABELS), card.choice("reason", REASON_LABELS, "unknown")
    await take_step(context, Surface.CASE_CARD,
                    lambda case, calendar, today: change_at_risk(case, groups, reason, calendar, today))


async def ews_contacted(context: Context, surface: Surface) -> dict | None:
    return await take_step(context, surface, lambda case, _cal, today: contact_ews(case, _note(context), today),
                           milestone=Milestone.DAY_5)


async def checklist_open(context: Context, surface: Surface) -> dict | None:
    """The checklist, ticked from the enquiries logged: in the personal chat, or in place of the channel card."""
    case = await load_case(context)
    if case is None:
        return await say(context, surface, not_found(context.card.text("case") or "(no reference)"))
    done = set(case.enquiry_kinds) | ({"ews_contacted"} if case.ews_contacted_on else set())
    card = checklist_card(case.reference, done, context.turn.activity_id or case.reference)
    if surface is Surface.CASE_CARD:
        await context.reply(card=card)
        return None
    for action in card.get("actions", []):
        action["data"]["verb"] = Verb.REMINDER_CHECKLIST.value
    return card


async def checklist_complete(context: Context, surface: Surface) -> dict | None:
    card = context.card
    confirmed = {item for item, _ in MISSING_PUPIL_CHECKLIST if card.flag(f"check_{item}")}
    key = card.text("key", limit=64)

    async def on_the_checklist(result: StepResult) -> None:
        """In the personal chat the checklist itself answers: its problem, or that it is recorded."""
        reference, here = result.case.reference, context.turn.reply_to_id
        words = result.problem or (f"Missing pupil checklist completed for {reference}." if result.change else
                                   f"The checklist for {reference} was recorded already.")
        if not here:
            await context.reply(words)
        elif result.problem:
            await context.outbox.update(here, Message(card=checklist_card(
                reference, confirmed, key, problem=result.problem)))
        else:
            await context.outbox.update(here, Message(card=notice_card(words)))

    return await take_step(context, surface, lambda case, _cal, today: complete_checklist(case, confirmed, today),
                           milestone=Milestone.DAY_5, answer_here=on_the_checklist)


async def day_20_review(context: Context, surface: Surface) -> dict | None:
    return await take_step(context, surface, lambda case, cal, today: review_day_20(case, _note(context), cal, today),
                           milestone=Milestone.DAY_20)


async def cme_referral(context: Context, surface: Surface) -> dict | None:
    return await take_step(context, surface, lambda case, _cal, today: complete_cme_referral(
        case, _note(context), today), milestone=Milestone.DAY_20)


# The same step from either card: the verbs posted cards carry, each with its surface.
for _handler, _on_case_card, _on_channel_card in (
        (ews_contacted, Verb.CASE_EWS, Verb.REMINDER_EWS),
        (checklist_open, Verb.CASE_CHECKLIST_OPEN, Verb.REMINDER_CHECKLIST_OPEN),
        (checklist_complete, Verb.CASE_CHECKLIST, Verb.REMINDER_CHECKLIST),
        (day_20_review, Verb.CASE_DAY20, Verb.REMINDER_DAY20),
        (cme_referral, Verb.CASE_REFERRAL, Verb.REMINDER_REFERRAL)):
    routes.action(_on_case_card, roles=WORKERS, where=Place.PERSONAL)(partial(_handler, surface=Surface.CASE_CARD))
    routes.action(_on_channel_card, roles=WORKERS, where=Place.CHANNEL)(partial(_handler, surface=Surface.CHANNEL_CARD))
