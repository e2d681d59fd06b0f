"""Opening a case from a channel's Day 5 or Day 20 card, and `set reminders channel` (the cards' step
buttons are taken in casework.py and removal.py).

Channel cards never name the child: the full case goes to the clicker's personal chat.
"""

from __future__ import annotations

from bot.access import administers, authority_of_admin, not_found
from bot.context import Context
from bot.handlers.steps import channel_card, load_case
from bot.routes import Place, Routes
from bot.sending.channels import channel_reference
from bot.sending.errors import DeliveryError
from bot.sending.personal_chats import ChatUnavailable, send_to_person
from bot.turn import PupilMessage
from bot.verbs import Verb
from bot.views.case_cards import CASE_CARD, case_view
from bot.views.case_views import record_opening
from cards.case_card import case_card
from cards.notice import notice_card
from cards.text import user_text
from cme.milestones import Milestone
from cme.roles import READERS, Role
from storage.conversations import CHANNEL as CHANNEL_KIND
from storage.schools import WhichAuthority

routes = Routes()


@routes.action(Verb.REMINDER_OPEN, roles=READERS, where=Place.CHANNEL)
async def open_in_personal_chat(context: Context) -> dict:
    """The full case, with the pupil's name, goes to the clicker's personal chat, never to the channel."""
    case = await load_case(context)
    milestone = Milestone(context.card.choice("milestone", [m.value for m in Milestone], Milestone.DAY_5.value))
    if case is None:
        return notice_card(not_found(context.card.text("case")))
    await record_opening(context, case)
    view = await case_view(context.services, case, context.person)
    try:
        sent = await send_to_person(context.services, context.person.aad_object_id,
                                    PupilMessage(card=case_card(view), reader=context.person, cases=(case,)))
    except ChatUnavailable:
        return await channel_card(context, case, milestone, "Open a personal chat with me first (say hello to me), "
                                                     f"then say **case {case.reference}** there.")
    except DeliveryError:
        return await channel_card(context, case, milestone, "I could not reach your personal chat: say "
                                                     f"**case {case.reference}** there.")
    await context.store.card_messages.add(case.id, CASE_CARD, sent.conversation_id, sent.activity_id,
                                          context.person.aad_object_id, text=sent.text,
                                          conversation_kind=sent.conversation_kind)
    return await channel_card(context, case, milestone, "Sent to your personal chat with me.")


@routes.command("set reminders channel", description="make this channel the one for Day 5 and Day 20 reminders",
                usage="set reminders channel [URN | authority [name]]", roles={Role.ADMIN, Role.SCHOOL_STAFF},
                where=Place.CHANNEL)
async def set_reminders_channel(context: Context) -> None:
    turn, person, store = context.turn, context.person, context.store
    channel_id = turn.channel_id or turn.conversation_id.split(";", 1)[0]
    said = context.args.strip().lower()
    await store.conversations.save(channel_id, CHANNEL_KIND, channel_reference(turn.reference, channel_id),
                                   tenant_id=turn.tenant_id, team_id=turn.team_id)
    if said == "authority" or said.startswith("authority "):
        if not person.has(Role.ADMIN):
            await context.reply("Only an administrator can set the local authority's channel.")
            return
        try:
            authority = await authority_of_admin(store, person, context.args.strip()[len("authority"):].strip())
        except WhichAuthority as which:
            await context.reply(f"{which} Say **set reminders channel authority <its name>**.")
            return
        await store.schools.set_authority_channel(channel_id, actor=context.actor.name, authority_id=authority.id)
        await context.reply(f"This channel now gets {user_text(authority.name)}'s lines: the reminders of cases "
                            "with no school yet, and the tracking officers' lines.")
        return
    if said:
        school = await store.schools.by_urn(said.upper())
        if school is None:
            await context.reply("I do not know a school with that URN. Say **set reminders channel** followed "
                                "by the school's URN, or **authority**.")
            return
    else:
        staff_of = person.school_ids()
        if len(staff_of) != 1:
            await context.reply("Say which school: **set reminders channel <URN>**, or **set reminders channel "
                                "authority** for cases with no school.")
            return
        school = await store.schools.get(staff_of[0])
    if not (administers(person, school.authority_id) or school.id in person.school_ids()):
        await context.reply(f"Only an administrator or {user_text(school.name)}'s staff can choose its channel.")
        return
    await store.schools.set_reminders_channel(school.id, channel_id, actor=context.actor.name)
    await context.reply(f"Done: {user_text(school.name)}'s Day 5 and Day 20 reminders will be posted in this channel.")
