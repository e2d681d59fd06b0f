"""Buttons on the Day 5 and Day 20 cards in a channel, and `set reminders channel`.

Channel cards never name the child: every answer here is the reminder card again (changed for
everyone), a checklist by reference, or the full case sent to the clicker's personal chat.
"""

from __future__ import annotations

from bot.access import can_work, has_role_on, not_found
from bot.context import Context
from bot.handlers.casework import Decide, record_step
from bot.routes import CHANNEL, ROUTES
from bot.sending.channels import channel_reference
from bot.sending.errors import DeliveryError
from bot.sending.personal_chats import ChatUnavailable, send_to_person
from bot.turn import Message
from bot.views.case_cards import CASE_CARD, case_view, refresh_other_copies
from bot.views.reminder_cards import reminder_view
from bot.views.tracking_officer import tell_tracking_officers
from cards.case_card import case_card
from cards.checklist_card import checklist_card
from cards.notice import notice_card
from cards.reminders import reminder_card
from cme.case import Case
from cme.casework import Change, complete_checklist, complete_cme_referral, contact_ews, review_day_20
from cme.checklist import MISSING_PUPIL_CHECKLIST
from cme.milestones import Milestone
from cme.roles import Role
from storage.conversations import CHANNEL as CHANNEL_KIND

WORKERS = {Role.SCHOOL_STAFF, Role.EWS_OFFICER, Role.TRACKING_OFFICER}
READERS = WORKERS | {Role.AGENCY_REFERRER}


async def _case(context: Context) -> Case | None:
    reference = str(context.turn.data.get("case", ""))
    case = await context.store.cases.get(reference) if reference else None
    return case if case is not None and has_role_on(context.person, case) else None


async def _card(context: Context, case: Case, milestone: Milestone, note: str | None = None) -> dict:
    school = await context.store.schools.get(case.school_id) if case.school_id else None
    today = context.services.today()
    due = case.due_dates(context.services.calendars.for_school(school)).get(milestone, today)
    card = reminder_card(reminder_view(context.services, case, school, milestone, due, today))
    if note:
        card["body"].insert(1, {"type": "TextBlock", "text": note, "wrap": True, "weight": "bolder"})
    return card


async def reminder_step(context: Context, milestone: Milestone, decide: Decide) -> tuple[dict, Change | None]:
    """A step from a channel card: the card again, changed for everyone, and the change if one was made."""
    case = await _case(context)
    if case is None:
        return notice_card(not_found(str(context.turn.data.get("case", "")))), None
    if not can_work(context.person, case):
        return await _card(context, case, milestone, "Only the school's staff, EWS and the tracking officer can "
                                                     "record this. Nothing was changed."), None
    result = await record_step(context, case, decide)
    if result.change:
        await refresh_other_copies(context.services, result.case, skip=set())
    note = result.problem or ("Already recorded." if result.already else
                              f"{result.change.summary} by {context.actor.name}.")
    return await _card(context, result.case, milestone, note), result.change


async def _step(context: Context, milestone: Milestone, decide: Decide) -> dict:
    return (await reminder_step(context, milestone, decide))[0]


@ROUTES.action("reminder.ews", roles=WORKERS)
async def ews_contacted(context: Context) -> dict:
    return await _step(context, Milestone.DAY_5, lambda case, _cal, today: contact_ews(case, "", today))


@ROUTES.action("reminder.checklist.open", roles=WORKERS)
async def checklist_open(context: Context) -> dict:
    case = await _case(context)
    if case is None:
        return notice_card(not_found(str(context.turn.data.get("case", ""))))
    done = set(case.enquiry_kinds) | ({"ews_contacted"} if case.ews_contacted_on else set())
    card = checklist_card(case.reference, done, context.turn.activity_id or case.reference)
    for action in card.get("actions", []):
        action["data"]["verb"] = "reminder.checklist"
    return card


@ROUTES.action("reminder.checklist", roles=WORKERS)
async def checklist_complete(context: Context) -> dict:
    data = context.turn.data
    confirmed = {item for item, _ in MISSING_PUPIL_CHECKLIST if data.get(f"check_{item}") == "true"}
    return await _step(context, Milestone.DAY_5, lambda case, _cal, today: complete_checklist(case, confirmed, today))


@ROUTES.action("reminder.day20", roles=WORKERS)
async def day_20_review(context: Context) -> dict:
    return await _step(context, Milestone.DAY_20, lambda case, cal, today: review_day_20(case, "", cal, today))


@ROUTES.action("reminder.referral", roles=WORKERS)
async def cme_referral(context: Context) -> dict:
    card = await _step(context, Milestone.DAY_20, lambda case, _cal, today: complete_cme_referral(case, "", today))
    case = await _case(context)
    if case is not None and case.cme_referral_on == context.services.today():
        await tell_tracking_officers(context.services, case, "CME referral completed by the school")
    return card


@ROUTES.action("reminder.open", roles=READERS)
async def open_in_personal_chat(context: Context) -> dict:
    """The full case, with the pupil's name, goes to the clicker's personal chat, never to the channel."""
    case = await _case(context)
    milestone = Milestone(context.turn.data.get("milestone", Milestone.DAY_5.value))
    if case is None:
        return notice_card(not_found(str(context.turn.data.get("case", ""))))
    view = await case_view(context.services, case, context.person)
    try:
        sent = await send_to_person(context.services, context.person.aad_object_id, Message(card=case_card(view)))
    except ChatUnavailable:
        return await _card(context, case, milestone, "Open a personal chat with me first (say hello to me), "
                                                     f"then say **case {case.reference}** there.")
    except DeliveryError:
        return await _card(context, case, milestone, "I could not reach your personal chat: say "
                                                     f"**case {case.reference}** there.")
    await context.store.card_messages.add(case.id, CASE_CARD, sent.conversation_id, sent.activity_id,
                                          context.person.aad_object_id)
    return await _card(context, case, milestone, "Sent to your personal chat with me.")


@ROUTES.command("set reminders channel", description="make this channel the one for Day 5 and Day 20 reminders",
                usage="set reminders channel [URN | authority]", roles={Role.ADMIN, Role.SCHOOL_STAFF},
                where=CHANNEL)
async def set_reminders_channel(context: Context) -> None:
    turn, person, store = context.turn, context.person, context.store
    channel_id = turn.channel_id or turn.conversation_id.split(";", 1)[0]
    said = context.args.strip().lower()
    await store.conversations.save(channel_id, CHANNEL_KIND, channel_reference(turn.reference, channel_id),
                                   tenant_id=turn.tenant_id, team_id=turn.team_id)
    if said == "authority":
        if not person.has(Role.ADMIN):
            await context.reply("Only an administrator can set the local authority's channel.")
            return
        await store.schools.set_authority_channel(channel_id, actor=context.actor.name)
        await context.reply("This channel now gets the reminders of cases with no school yet.")
        return
    if said:
        school = await store.schools.by_urn(said.upper())
        if school is None:
            await context.reply(f"I do not know a school with URN {said}. Say **set reminders channel** followed "
                                "by the school's URN, or **authority**.")
            return
    else:
        staff_of = person.school_ids()
        if len(staff_of) != 1:
            await context.reply("Say which school: **set reminders channel <URN>**, or **set reminders channel "
                                "authority** for cases with no school.")
            return
        school = await store.schools.get(staff_of[0])
    if not (person.has(Role.ADMIN) or school.id in person.school_ids()):
        await context.reply(f"Only an administrator or {school.name}'s staff can choose its channel.")
        return
    await store.schools.set_reminders_channel(school.id, channel_id, actor=context.actor.name)
    await context.reply(f"Done: {school.name}'s Day 5 and Day 20 reminders will be posted in this channel.")
