"""Removal from roll: the school requests it, the tracking officer agrees or declines from a card in chat,
and every copy of the cards about it updates in place (today is Monday 16 November 2026)."""

from __future__ import annotations

import asyncio
import json
from datetime import date

from bot.daily.reminders import run_daily_reminders
from cards.validate import problems
from cme.case import Carer, Case, Pupil
from cme.lifecycle import Outcome, State
from cme.removal import LEGAL_TESTS
from cme.roles import Role
from storage.cases import Actor, NewEvent
from tests.scenario.cards import actions_of, press
from tests.scenario.conftest import TODAY
from tests.scenario.connector import card_text
from tests.scenario.teams import ADAM, EWAN, REMINDERS, RIYA, SAM, TARA, TEAM, User, _user

PUPIL = Pupil("Noor", "Madeup", date(2013, 6, 1), year_group="Year 8", address="9 Fable Road",
              postcode="ZZ99 5ZZ", carers=(Carer("Rae Madeup", "07700 900555"),))
FIRST_DAY = date(2026, 10, 12)  # Day 20 is Friday 13 November: the autumn half term is not counted
CARD = "application/vnd.microsoft.card.adaptive"
OLLIE = _user(7, "Ollie Officer")  # a second tracking officer
CONFIRMED = {key: "true" for key, _, _ in LEGAL_TESTS}  # the tests of regulation 9(1)(i), ticked on the request


async def add_case(services, *, first_day: date = FIRST_DAY, **done) -> Case:
    """A case of Oakwood at Day 21 whose enquiries, EWS contact, Day 20 review, referral and checklist are done."""
    school = await services.store.schools.by_urn("900001")
    calendar = services.calendars.for_school(school)
    fields = dict(enquiry_kinds=frozenset({"phone_call", "home_visit"}), ews_contacted_on=date(2026, 10, 16),
                  checklist_completed_on=date(2026, 10, 16), day20_review_on=date(2026, 11, 13),
                  cme_referral_on=date(2026, 11, 13))
    case = Case(reference="", school_id=school.id, state=State.CME_REFERRAL, pupil=PUPIL, first_day_absent=first_day,
                run_start=first_day, **{**fields, **done})
    case, _ = await services.store.cases.create(case, NewEvent("reported", {}, Actor(SAM.aad_object_id, SAM.name)),
                                                case.due_dates(calendar))
    return case


async def everyone_installed(teams, connector, *users: User) -> None:
    connector.channels[TEAM] = [{"id": TEAM, "name": None}, {"id": REMINDERS, "name": "CME reminders"}]
    await teams.install_team(ADAM)
    for user in (SAM, TARA, *users):
        await teams.install_personal(user)


async def open_case(teams, connector, user: User, case: Case):
    await teams.say(user, f"case {case.reference}")
    return connector.to(user.personal_chat)[-1]


async def request(teams, connector, services, case: Case, user: User = SAM):
    """`user` presses Request removal from roll on the case card; returns what the bot sent."""
    card = await open_case(teams, connector, user, case)
    mark = connector.mark()
    await teams.submit(user, press(card.card, "Send the request", **CONFIRMED), reply_to=card.activity_id)
    return card, connector.since(mark)


async def removal_requested(teams, connector, services, *others: User, by: User = SAM, **done):
    """Everyone installed, a case at Day 21 (`done` as add_case takes it), and `by` requesting its removal:
    the case, its case card and what the bot sent."""
    await everyone_installed(teams, connector, *others)
    case = await add_case(services, **done)
    case_card, sent = await request(teams, connector, services, case, user=by)
    return case, case_card, sent


def officer_card(sent, user: User = TARA):
    return next(s for s in sent if s.method == "POST" and s.conversation_id == user.personal_chat
                and "Removal from roll requested" in card_text(s.cards))


async def decide(teams, user: User, card, title: str, **typed):
    data = press(card.card, title, **typed)
    return await teams.invoke(user, data["verb"], data, reply_to=card.activity_id, conversation=user.personal_chat)


async def test_the_school_requests_the_officer_agrees_and_every_card_follows(teams, connector, services, store):
    case, case_card, sent = await removal_requested(teams, connector, services)

    to_tara = officer_card(sent)
    text = card_text(to_tara.card)
    assert f"Removal from roll requested: {case.reference}" in text and "Noor Madeup" in text
    assert "Day 21 (school days)" in text and "Oakwood Primary School (fictional)" in text
    for precondition in ("20 continuous school days completed", "Day 1-5 enquiries logged",
                         "Education Welfare Service contacted", "Day 20 review with EWS", "CME referral completed",
                         "Missing pupil checklist complete"):
        assert f"✅ {precondition}" in text, precondition
    assert "LA code **XXX**" in text and "**XXXXXXX**" in text and "regulation 13(4)" in text
    assert [a["title"] for a in to_tara.card["actions"]] == ["Agree removal", "Decline", "Ask for more enquiries"]
    assert to_tara.card["version"] == "1.5" and problems(to_tara.card) == []
    agree = next(a for a in to_tara.card["actions"] if a["title"] == "Agree removal")
    assert agree["type"] == "Action.Execute" and agree["fallback"]["type"] == "Action.Submit"

    line = next(s for s in sent if s.conversation_id.startswith(TEAM))
    assert case.reference in card_text(line.card) and "Noor" not in str(line.body) and "Fable" not in str(line.body)
    assert (await store.cases.get(case.reference)).state is State.REMOVAL_REQUESTED

    mark = connector.mark()
    status, answer = await decide(teams, TARA, to_tara, "Agree removal")
    assert status == 200 and answer["statusCode"] == 200 and answer["type"] == CARD
    decided = card_text(answer["value"])
    assert "Agreed by Tara Tracker on " in decided  # when: the clock; the off-roll date: the school day
    assert "Off-roll date: 16 November 2026 (the date of agreement)" in decided
    assert "Agree removal" not in actions_of(answer["value"])

    after = await store.cases.get(case.reference)
    assert after.state is State.REMOVAL_AGREED and after.off_roll_date == TODAY != case.first_day_absent
    updates = {s.activity_id: card_text(s.cards) for s in connector.since(mark) if s.method == "PUT"}
    assert "Agreed by Tara Tracker" in updates[line.activity_id] and "Noor" not in updates[line.activity_id]
    assert "Removal from roll agreed" in updates[case_card.activity_id]
    to_sam = next(s for s in connector.since(mark) if s.method == "POST" and s.conversation_id == SAM.personal_chat)
    steps = card_text(to_sam.card)
    assert "Lost Pupils" in steps and "Common Transfer File" in steps and "Off-roll date: 16 November 2026" in steps
    assert actions_of(to_sam.card) == ["Make the deletion return", "Confirm removed"]

    mark = connector.mark()
    status, answer = await decide(teams, SAM, to_sam, "Confirm removed", return_sent_on=TODAY.isoformat(),
                                  ctf_sent_on=TODAY.isoformat())
    assert status == 200 and "Removed from roll: confirmed by Sam Staff" in card_text(answer["value"])
    closed = await store.cases.get(case.reference)
    assert closed.state is State.OUT_OF_PROVISION and closed.outcome is Outcome.REMOVED_FROM_ROLL
    assert not closed.is_open and closed.off_roll_date == TODAY
    updates = {s.activity_id: card_text(s.cards) for s in connector.since(mark) if s.method == "PUT"}
    assert "Removed from roll: confirmed by Sam Staff" in updates[to_tara.activity_id]
    assert "Removed from roll" in updates[line.activity_id]

    history = [(e.kind, e.actor_name) for e in await store.cases.history(case.id)]
    assert history[-3:] == [("removal_requested", "Sam Staff"), ("removal_agreed", "Tara Tracker"),
                            ("removed_from_roll", "Sam Staff")]


async def test_only_a_tracking_officer_may_decide(teams, connector, services, store):
    case, _, sent = await removal_requested(teams, connector, services, EWAN, by=EWAN)
    to_tara = officer_card(sent)
    for user in (SAM, EWAN, RIYA):
        status, answer = await decide(teams, user, to_tara, "Agree removal")
        assert status == 200 and answer["type"] == CARD
        assert "That is for the CME Pupil Tracking Officer. Nothing was changed." in card_text(answer["value"])
    assert (await store.cases.get(case.reference)).state is State.REMOVAL_REQUESTED
    assert "removal_agreed" not in [e.kind for e in await store.cases.history(case.id)]


async def test_agreement_is_refused_while_a_precondition_is_unmet(teams, connector, services, store):
    case, _, sent = await removal_requested(teams, connector, services, checklist_completed_on=None,
                                            enquiry_kinds=frozenset({"phone_call"}))
    to_tara = officer_card(sent)
    text = card_text(to_tara.card)
    assert "❌ Missing pupil checklist complete: not yet" in text and "still needed: Home visit" in text
    status, answer = await decide(teams, TARA, to_tara, "Agree removal")
    refused = card_text(answer["value"])
    assert status == 200 and "cannot be agreed yet" in refused
    assert "Missing pupil checklist complete" in refused and "Day 1-5 enquiries logged" in refused
    assert (await store.cases.get(case.reference)).state is State.REMOVAL_REQUESTED
    assert "Agree removal" in actions_of(answer["value"])  # still undecided: the officer can decline or ask more


async def test_removal_cannot_be_requested_before_day_20(teams, connector, services, store):
    await everyone_installed(teams, connector)
    case = await add_case(services, first_day=date(2026, 11, 2), day20_review_on=None, cme_referral_on=None)
    card = await open_case(teams, connector, SAM, case)
    assert "Request removal from roll" not in actions_of(card.card)
    mark = connector.mark()
    await teams.submit(SAM, {"verb": "case.removal.request", "case": case.reference, "key": "k"},
                       reply_to=card.activity_id)
    answer = card_text(connector.since(mark)[0].cards)
    assert "from Day 20 of continuous absence, Friday 27 November 2026" in answer
    assert (await store.cases.get(case.reference)).state is State.CME_REFERRAL


async def test_declined_with_a_reason_the_school_is_told_and_reminders_continue(teams, connector, services, store):
    case, _, sent = await removal_requested(teams, connector, services)
    to_tara = officer_card(sent)

    status, answer = await decide(teams, TARA, to_tara, "Decline removal")
    assert "Give the reason" in card_text(answer["value"])
    assert (await store.cases.get(case.reference)).state is State.REMOVAL_REQUESTED

    mark = connector.mark()
    status, answer = await decide(teams, TARA, to_tara, "Decline removal", why="A sibling started at Elm School")
    assert "Declined by Tara Tracker" in card_text(answer["value"])
    to_sam = next(s for s in connector.since(mark) if s.method == "POST" and s.conversation_id == SAM.personal_chat)
    assert "A sibling started at Elm School" in card_text(to_sam.card)
    after = await store.cases.get(case.reference)
    assert after.state is State.REMOVAL_DECLINED and after.off_roll_date is None and after.day20_review_on is None

    mark = connector.mark()
    await run_daily_reminders(services, date(2026, 11, 17))
    digest = [card_text(s.card) for s in connector.since(mark) if s.conversation_id.startswith(REMINDERS)]
    assert any(case.reference in d and "Day 20" in d for d in digest), digest
    card = await open_case(teams, connector, SAM, after)
    assert "Request removal from roll" in actions_of(card.card)


async def test_more_enquiries_returns_the_case_to_enquiries(teams, connector, services, store):
    case, _, sent = await removal_requested(teams, connector, services)
    status, answer = await decide(teams, TARA, officer_card(sent), "Ask for more enquiries",
                                  why="Check the GP registration")
    assert "Asked for more enquiries by Tara Tracker" in card_text(answer["value"])
    assert (await store.cases.get(case.reference)).state is State.ENQUIRIES


async def test_a_double_click_and_a_redelivery_give_one_decision(teams, connector, services, store):
    case, _, sent = await removal_requested(teams, connector, services)
    to_tara = officer_card(sent)
    data = press(to_tara.card, "Agree removal")
    first = await teams.invoke(TARA, data["verb"], data, reply_to=to_tara.activity_id,
                               conversation=TARA.personal_chat, activity_id="invoke-1")
    again = await teams.invoke(TARA, data["verb"], data, reply_to=to_tara.activity_id,
                               conversation=TARA.personal_chat, activity_id="invoke-1")
    later = await teams.invoke(TARA, data["verb"], data, reply_to=to_tara.activity_id,
                               conversation=TARA.personal_chat)
    assert first[0] == again[0] == later[0] == 200
    assert "This request was already decided" in card_text(later[1]["value"])
    assert "Agreed by Tara Tracker" in card_text(later[1]["value"])
    assert [e.kind for e in await store.cases.history(case.id)].count("removal_agreed") == 1


async def test_two_officers_deciding_at_once_give_one_decision(teams, connector, services, store):
    await store.people.grant(OLLIE.aad_object_id, Role.TRACKING_OFFICER, actor="test", name=OLLIE.name,
                             authority_id=(await store.schools.authority("Example Borough Council")).id)
    case, _, sent = await removal_requested(teams, connector, services, OLLIE)
    tara_card, ollie_card = officer_card(sent, TARA), officer_card(sent, OLLIE)

    answers = await asyncio.gather(
        decide(teams, TARA, tara_card, "Agree removal"),
        decide(teams, OLLIE, ollie_card, "Decline removal", why="Not enough enquiries"),
        decide(teams, TARA, tara_card, "Agree removal"),
    )
    assert all(status == 200 for status, _ in answers)
    decisions = [e for e in await store.cases.history(case.id)
                 if e.kind in ("removal_agreed", "removal_declined", "more_enquiries_asked")]
    assert len(decisions) == 1
    winner = decisions[0].actor_name
    said = decisions[0].kind.split("_")[1].capitalize()  # Agreed / Declined
    for _, answer in answers:
        assert f"{said} by {winner}" in card_text(answer["value"])
    state = (await store.cases.get(case.reference)).state
    assert state in (State.REMOVAL_AGREED, State.REMOVAL_DECLINED)



async def test_removal_is_requested_from_the_day_20_card_in_the_channel(teams, connector, services, store):
    await everyone_installed(teams, connector, EWAN)
    case = await add_case(services, cme_referral_on=None)
    await run_daily_reminders(services, TODAY)
    post = next(s for s in connector.to(REMINDERS) if f"Day 20: {case.reference}" in card_text(s.cards))
    assert "[Request removal from roll]" in card_text(post.card)
    mark = connector.mark()
    status, answer = await teams.invoke(EWAN, "reminder.removal", {"case": case.reference, "milestone": "day20",
                                                                    **CONFIRMED},
                                        reply_to=post.activity_id, conversation=post.conversation_id,
                                        channel=REMINDERS)
    assert status == 200 and "Removal from roll requested" in card_text(answer["value"])
    assert "Noor" not in str(answer)
    assert "[Request removal from roll]" not in card_text(answer["value"])
    assert "❌ CME referral completed" in card_text(officer_card(connector.since(mark)).card)
    assert (await store.cases.get(case.reference)).state is State.REMOVAL_REQUESTED


async def test_the_officer_may_decide_on_the_channel_line_which_stays_nameless(teams, connector, services, store):
    _, _, sent = await removal_requested(teams, connector, services)
    line = next(s for s in sent if s.conversation_id.startswith(TEAM))
    assert "Every precondition is met." in card_text(line.card)
    data = press(line.card, "Decline removal", why="Noor was seen at Elm School")
    mark = connector.mark()
    status, answer = await teams.invoke(TARA, data["verb"], data, reply_to=line.activity_id,
                                        conversation=line.conversation_id, channel=TEAM)
    assert status == 200 and "Declined by Tara Tracker" in card_text(answer["value"])
    assert "Noor" not in str(answer) and "Elm School" not in str(answer)
    to_sam = next(s for s in connector.since(mark) if s.method == "POST" and s.conversation_id == SAM.personal_chat)
    assert "Noor was seen at Elm School" in card_text(to_sam.card)
    updated = [s for s in connector.since(mark) if s.method == "PUT" and s.conversation_id.startswith(TEAM)]
    assert all("Noor" not in str(s.body) for s in updated)


async def test_an_officer_who_blocked_the_bot_is_not_counted_as_told(teams, connector, services, store):
    await everyone_installed(teams, connector)
    case = await add_case(services)
    connector.refuse(403, conversation=TARA.personal_chat, code="ConversationBlockedByUser")
    _, sent = await request(teams, connector, services, case)

    assert not [s for s in sent if s.conversation_id == TARA.personal_chat]
    to_sam = [s.text for s in sent if s.conversation_id == SAM.personal_chat and s.text]
    assert any("I could not reach the CME Pupil Tracking Officer through Teams" in t and case.reference in t
               for t in to_sam), to_sam
    assert any(s.conversation_id.startswith(TEAM) for s in sent), "the local authority's channel still has the line"
    chat = await store.conversations.personal_chat(TARA.aad_object_id)
    assert not chat.alive and "403" in chat.dead_reason

    await teams.install_personal(TARA)  # she adds the app again
    assert (await store.conversations.personal_chat(TARA.aad_object_id)).alive


async def test_on_day_20_the_request_goes_but_agreement_waits_for_day_21(teams, connector, services, store):
    # Day 1 on Tuesday 13 October 2026 makes today, Monday 16 November, Day 20.
    case, _, sent = await removal_requested(teams, connector, services, first_day=date(2026, 10, 13),
                                            day20_review_on=TODAY, cme_referral_on=TODAY)
    to_tara = officer_card(sent)
    text = card_text(to_tara.card)
    assert "Day 20 (school days)" in text
    assert "Earliest off-roll date: Tuesday 17 November 2026." in text and "regulation 9(1)(i)" in text
    assert ("❌ 20 continuous school days completed: Day 20 since 13 October 2026; agreement from Day 21, "
            "Tuesday 17 November 2026") in text
    assert "Agreement is not possible until every precondition above is met." in text

    status, answer = await decide(teams, TARA, to_tara, "Agree removal")
    assert status == 200
    refused = card_text(answer["value"])
    assert "Removal from roll cannot be agreed yet. Still missing: 20 continuous school days completed" in refused
    after = await store.cases.get(case.reference)
    assert after.state is State.REMOVAL_REQUESTED and after.off_roll_date is None


def by_verb(card: dict, verb: str, **typed) -> dict:
    """What Teams sends when the button with this verb is pressed after typing `typed`."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            if (node.get("data") or {}).get("verb") == verb and node.get("type") in ("Action.Submit", "Action.Execute"):
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card)
    assert found, f"no {verb} on the card: {actions_of(card)}"
    return {**found[0]["data"], **typed}


def lines_of(sent) -> list:
    return [s for s in sent if s.method == "POST" and s.conversation_id.startswith(TEAM)
            and "Removal from roll requested" in card_text(s.cards)]


async def on_line(teams, user: User, line, title: str, **typed):
    """`user` presses `title` on the channel line (an Action.Execute)."""
    data = press(line.card, title, **typed)
    return await teams.invoke(user, data["verb"], data, reply_to=line.activity_id, conversation=line.conversation_id,
                              channel=TEAM)


async def refreshed(teams, user: User, posted, *, in_channel: bool):
    """What Teams shows `user` when it refreshes the posted card (the card's refresh action)."""
    action = posted.card["refresh"]["action"]
    conversation = posted.conversation_id if in_channel else user.personal_chat
    status, answer = await teams.invoke(user, action["verb"], action["data"], reply_to=posted.activity_id,
                                        conversation=conversation, channel=TEAM if in_channel else None)
    assert status == 200 and answer["type"] == CARD, answer
    return answer["value"]


def last_update(connector, mark: int, activity_id: str) -> str | None:
    updates = [card_text(s.cards) for s in connector.since(mark) if s.method == "PUT" and s.activity_id == activity_id]
    return updates[-1] if updates else None


async def test_a_second_request_has_its_own_cards_and_every_decision_updates_the_pressed_card_for_everyone(
        teams, connector, services, store):
    case, case_card, sent = await removal_requested(teams, connector, services, EWAN)
    [line_1], tara_1 = lines_of(sent), officer_card(sent)
    assert line_1.card["refresh"]["action"]["verb"] == "removal.refresh"
    assert set(line_1.card["refresh"]["userIds"]) == {TARA.teams_id, EWAN.teams_id, SAM.teams_id}  # the people on the case
    assert tara_1.card["refresh"]["userIds"] == [TARA.teams_id]

    mark = connector.mark()
    status, answer = await on_line(teams, TARA, line_1, "Ask for more enquiries", why="Check the GP registration.")
    assert "More enquiries asked for. The school has been told." in card_text(answer["value"])
    seen_by_all = last_update(connector, mark, line_1.activity_id)
    assert seen_by_all and "Asked for more enquiries by Tara Tracker" in seen_by_all, "the pressed line, for everyone"
    assert "[Agree removal]" not in seen_by_all and "GP registration" not in seen_by_all
    assert "Enquiries asked for: Check the GP registration." in last_update(connector, mark, tara_1.activity_id)
    assert "registration.." not in last_update(connector, mark, tara_1.activity_id)

    # The school records a new Day 20 review with EWS, then asks again.
    card = await open_case(teams, connector, SAM, case)
    await teams.submit(SAM, by_verb(card.card, "case.day20", note="GP has no record"), reply_to=card.activity_id)
    _, sent = await request(teams, connector, services, await store.cases.get(case.reference))
    [line_2], tara_2 = lines_of(sent), officer_card(sent)
    assert line_2.activity_id != line_1.activity_id and tara_2.activity_id != tara_1.activity_id

    mark = connector.mark()
    status, answer = await on_line(teams, TARA, line_2, "Agree removal")
    assert status == 200 and "Agreed by Tara Tracker" in card_text(answer["value"])
    assert "Agreed by Tara Tracker" in last_update(connector, mark, line_2.activity_id)
    assert "Agreed by Tara Tracker" in last_update(connector, mark, tara_2.activity_id)
    for first in (line_1, tara_1):
        assert last_update(connector, mark, first.activity_id) is None, "the first request's cards keep their record"

    # Every card as Ewan (on the case) and Riya (not) see it now.
    for user in (EWAN, RIYA):
        first = card_text(await refreshed(teams, user, line_1, in_channel=True))
        assert "Asked for more enquiries by Tara Tracker" in first and "[Agree removal]" not in first
        second = card_text(await refreshed(teams, user, line_2, in_channel=True))
        assert "Agreed by Tara Tracker" in second and "Off-roll date: 16 November 2026" in second
        assert "Noor" not in first + second and "GP registration" not in first
    first = card_text(await refreshed(teams, TARA, tara_1, in_channel=False))
    assert "Noor Madeup" in first and "Enquiries asked for: Check the GP registration." in first
    assert "Agreed" not in first and "[Agree removal]" not in first
    assert "Agreed by Tara Tracker" in card_text(await refreshed(teams, TARA, tara_2, in_channel=False))
    history = [e.kind for e in await store.cases.history(case.id)]
    assert history.count("removal_requested") == 2 and history[-1] == "removal_agreed"


async def test_a_refresh_answers_only_for_the_card_it_is_on(teams, connector, services, store):
    case, _, sent = await removal_requested(teams, connector, services, EWAN)
    to_tara = officer_card(sent)
    action = to_tara.card["refresh"]["action"]
    # Ewan asks for Tara's personal card from his own chat: nothing is shown to him.
    status, answer = await teams.invoke(EWAN, action["verb"], action["data"], reply_to=to_tara.activity_id,
                                        conversation=EWAN.personal_chat)
    assert status == 200 and "Noor" not in json.dumps(answer)
    mark = connector.mark()
    assert "Removal from roll requested" in card_text(await refreshed(teams, TARA, to_tara, in_channel=False))
    assert connector.since(mark) == [], "a refresh sends and updates nothing"


async def test_after_confirm_removed_the_channel_cards_keep_their_day(teams, connector, services, store):
    case, _, sent = await removal_requested(teams, connector, services)
    await run_daily_reminders(services, TODAY)
    [line] = lines_of(sent)
    await on_line(teams, TARA, line, "Agree removal")
    to_sam = next(s for s in connector.sent if s.method == "POST" and s.conversation_id == SAM.personal_chat
                  and "Next steps" in card_text(s.cards))
    mark = connector.mark()
    status, answer = await decide(teams, SAM, to_sam, "Confirm removed", return_sent_on=TODAY.isoformat(),
                                  ctf_sent_on=TODAY.isoformat())
    assert "Removed from roll: confirmed by Sam Staff" in card_text(answer["value"])
    in_channels = [card_text(s.cards) for s in connector.since(mark) if s.method == "PUT"
                   and s.conversation_id.startswith((TEAM, REMINDERS))]
    assert in_channels and not [t for t in in_channels if "Day 0" in t], in_channels
    assert any("Removed from roll" in t and "Day 21" in t for t in in_channels), in_channels


async def test_a_request_without_the_legal_tests_confirmed_is_refused_and_nobody_is_told(teams, connector, services,
                                                                                        store):
    await everyone_installed(teams, connector)
    case = await add_case(services)
    card = await open_case(teams, connector, SAM, case)
    mark = connector.mark()
    await teams.submit(SAM, press(card.card, "Send the request", joint_enquiries="true"), reply_to=card.activity_id)
    said = card_text([s.cards for s in connector.since(mark)])
    assert "can be requested only when the school confirms the tests of regulation 9(1)(i)" in said
    assert not any(s.conversation_id == TARA.personal_chat for s in connector.since(mark))
    assert (await store.cases.get(case.reference)).state is State.CME_REFERRAL
