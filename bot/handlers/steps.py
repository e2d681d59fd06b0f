"""Taking one step of the procedure from a card: record it once, answer on the card's surface, tell whom it concerns."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from enum import Enum

from bot.access import can_work, has_role_on, not_found
from bot.context import Context
from bot.views.case_cards import refresh_other_copies, update_case_card_here
from bot.views.reminder_cards import posted_reminder_view, refresh_reminder_cards
from bot.views.removal_cards import send_removal_request
from bot.views.tracking_officer import tell_tracking_officers
from cards.notice import notice_card
from cards.reminders import reminder_card
from cards.text import user_text
from cme.calendar import CalendarError, SchoolCalendar
from cme.case import Case
from cme.casework import Change
from cme.lifecycle import ProcedureError
from cme.milestones import Milestone
from storage.cases import Also, NewEvent, Recorded

log = logging.getLogger(__name__)

Decide = Callable[[Case, SchoolCalendar, date], Change]
AnswerHere = Callable[["StepResult"], Awaitable[None]]

# Steps the CME Pupil Tracking Officer is told of, with what they are told.
OFFICERS_TOLD = {"cme_referral_completed": "CME referral completed by the school",
                 "located_outside_area": "Located outside the area: contact the receiving authority's CME lead"}


class Surface(Enum):
    """Where the button was: the case card in a personal chat, or a Day 5 / Day 20 card in a channel."""

    CASE_CARD = "case"
    CHANNEL_CARD = "reminder"


@dataclass(frozen=True)
class StepResult:
    case: Case
    change: Change | None = None  # only when this click recorded the step
    problem: str | None = None
    already: bool = False


async def load_case(context: Context) -> Case | None:
    """The case the card is about, if this person has a role on it."""
    reference = context.card.text("case")
    case = await context.store.cases.get(reference) if reference else None
    return case if case is not None and has_role_on(context.person, case) else None


async def say(context: Context, surface: Surface, words: str) -> dict | None:
    """A sentence: in the personal chat, or as the channel card's answer (for the clicker only)."""
    if surface is Surface.CHANNEL_CARD:
        return notice_card(words)
    await context.reply(words)
    return None


async def record_step(context: Context, case: Case, decide: Decide,
                      also: Callable[[Change], Also] | None = None) -> StepResult:
    """Decide on the freshest copy of the case and save it with its history entry, exactly once (`also`: what else
    the step writes, in the same transaction)."""
    school = await context.store.schools.get(case.school_id) if case.school_id else None
    calendar = context.services.calendars.for_school(school)
    key = f"{context.turn.verb}:{context.card.text('key', context.turn.activity_id, limit=64)}"
    for _ in range(3):
        try:
            change = decide(case, calendar, context.services.today())
        except (ProcedureError, CalendarError) as error:
            return StepResult(case, problem=str(error))
        result = await context.store.cases.record(
            change.case, NewEvent(change.event, change.data, context.actor, key=key), change.milestones, change.done,
            change.reopened, moved=change.moved, also=also(change) if also else None)
        if result is Recorded.DONE:
            log.info("case %s: %s", case.reference, change.event)
            await refresh_reminder_cards(context.services, change.case, skip={context.turn.reply_to_id or ""})
            return StepResult(change.case, change)
        if result is Recorded.ALREADY_DONE:
            return StepResult(await context.store.cases.get(case.reference), already=True)
        case = await context.store.cases.get(case.reference)
    return StepResult(case, problem="The case was changed by someone else while you were saving: try again.")


async def channel_card(context: Context, case: Case, milestone: Milestone, note: str | None = None) -> dict:
    """The Day 5 or Day 20 card again, as everyone in the channel sees it, with a line for the clicker."""
    school = await context.store.schools.get(case.school_id) if case.school_id else None
    card = reminder_card(await posted_reminder_view(context.services, case, school, milestone,
                                                    context.turn.reply_to_id))
    if note:
        card["body"].insert(1, {"type": "TextBlock", "text": note, "wrap": True, "weight": "bolder"})
    return card


async def take_step(context: Context, surface: Surface, decide: Decide, *, milestone: Milestone = Milestone.DAY_5,
                    already: str = "Already recorded: nothing was saved twice.",
                    answer_here: AnswerHere | None = None) -> dict | None:
    """A step from either card: the card answers, and only a step recorded now changes or tells anyone else.

    `milestone` is the channel card's; `already` what the case card says to a second click; `answer_here`
    answers in the personal chat instead of the case card (the checklist answers on itself).
    """
    case = await load_case(context)
    if case is None:
        return await say(context, surface, not_found(context.card.text("case") or "(no reference)"))
    if not can_work(context.person, case):
        if surface is Surface.CASE_CARD:
            return await say(context, surface, "You can see this case but not change it.")
        return await channel_card(context, case, milestone, "Only the school's staff, EWS and the tracking officer "
                                                            "can record this. Nothing was changed.")
    result = await record_step(context, case, decide)
    if result.change:
        # Before the clicker's answer: if Teams does not take that, its redelivery finds the step recorded
        # (a second click) and tells nobody, so whom it concerns must have been told already.
        await refresh_other_copies(context.services, result.case, skip={context.turn.reply_to_id or ""})
        await tell_whom_it_concerns(context, result.change)
    if surface is Surface.CHANNEL_CARD:
        return await channel_card(context, result.case, milestone, result.problem or (
            "Already recorded." if result.already else f"{user_text(result.change.summary)} by {user_text(context.actor.name)}."))
    if answer_here is not None:
        await answer_here(result)
    else:
        await update_case_card_here(context, result.case, problem=result.problem, notice=already if result.already
                                    else (user_text(result.change.summary) if result.change else None))
    return None


async def tell_whom_it_concerns(context: Context, change: Change) -> None:
    """The tracking officer hears of a referral, an outside-area location and a removal request: once, when recorded."""
    case = change.case
    if change.event in OFFICERS_TOLD:
        told = await tell_tracking_officers(context.services, case, OFFICERS_TOLD[change.event])
        what = case.reference
    elif change.event == "removal_requested":
        told = await send_removal_request(context.services, case)
        what = f"the removal request for {case.reference}"
    else:
        return
    if not told:
        await context.reply("I could not reach the CME Pupil Tracking Officer through Teams: please tell them "
                            f"about {what} by phone or e-mail.")
