"""Expected starters in Teams (today is Monday 16 November 2026): the card to add one keeps what was typed,
Arrived is the new pupil return to the authority's tracking officers (named, personal chat) and its channel
(reference only), and a pupil not arrived within 5 school days gets one nameless card in the school's reminders
channel whose one press makes a CME case from the agreed first day."""

from __future__ import annotations

from datetime import date

from bot.daily.reminders import run_daily_reminders
from cards.validate import problems
from cme.case import Pupil
from cme.expected_starters import Starter, Status
from cme.milestones import Milestone
from storage.cases import Actor
from tests.scenario.cards import actions_of, press
from tests.scenario.connector import card_text
from tests.scenario.teams import ADAM, REMINDERS, RIYA, SAM, TARA, TEAM

SAM_ACTOR = Actor(SAM.aad_object_id, SAM.name)


async def _expect(store, first_day: date, forename: str = "Ada") -> Starter:
    school = await store.schools.by_urn("900001")
    starter, _ = await store.expected_starters.add(Starter(school.id, Pupil(
        forename, "Makebelieve", date(2015, 1, 2), year_group="Year 7"), first_day), SAM_ACTOR)
    return starter


def _puts(connector, mark):
    return [s for s in connector.since(mark) if s.method == "PUT"]


async def test_the_card_keeps_what_was_typed_and_a_second_click_saves_nothing_twice(teams, connector, store):
    await teams.install_personal(SAM)
    await teams.say(SAM, "expected starter")
    form = connector.to(SAM.personal_chat)[-1]
    assert problems(form.card) == [] and "Agreed first day" in card_text(form.card)

    mark = connector.mark()
    await teams.submit(SAM, press(form.card, "Save expected starter", forename="Ada", date_of_birth="2015-01-02",
                                  year_group="Year 7", first_day="2026-11-21", previous_school="Pretend Primary"),
                       reply_to=form.activity_id)
    redone = _puts(connector, mark)[-1]
    text = card_text(redone.card)
    assert "Enter the pupil's surname." in text and "Saturday 21 November 2026 is not a school day" in text
    assert "Pretend Primary" in str(redone.card) and "Ada" in str(redone.card), "what was typed is kept"
    assert await store.expected_starters.of_schools([1, 2, 3], date(2026, 1, 1)) == []

    good = press(redone.card, "Save expected starter", surname="Makebelieve", first_day="2026-11-23")
    mark = connector.mark()
    await teams.submit(SAM, good, reply_to=form.activity_id)
    saved = card_text(_puts(connector, mark)[-1].card)
    assert "Saved: NS-" in saved and "Ada Makebelieve" in saved and "Monday 30 November 2026" in saved
    mark = connector.mark()
    await teams.submit(SAM, good, reply_to=form.activity_id)
    assert "Saved already: NS-" in card_text(_puts(connector, mark)[-1].card)
    school = await store.schools.by_urn("900001")
    assert len(await store.expected_starters.of_schools([school.id], date(2026, 1, 1))) == 1


async def test_arrived_sends_the_new_pupil_return_once(teams, connector, store):
    await teams.install_personal(TARA)
    await teams.install_team(TARA)
    await teams.install_personal(SAM)
    starter = await _expect(store, date(2026, 11, 16))
    await teams.say(SAM, "expected starters")
    listed = connector.to(SAM.personal_chat)[-1]
    assert "Ada Makebelieve" in card_text(listed.card) and problems(listed.card) == []

    mark = connector.mark()
    await teams.submit(SAM, press(listed.card, "Send the new pupil return", previous_school="Pretend Primary"),
                       reply_to=listed.activity_id)
    again = _puts(connector, mark)[-1]
    assert "Enter the pupil's home address" in card_text(again.card)
    assert "Pretend Primary" in str(again.card), "what was typed is kept under Arrived"
    assert (await store.expected_starters.get(starter.id)).status is Status.EXPECTED

    arrived = press(again.card, "Send the new pupil return", address="4 Invented Way", postcode="ZZ99 4ZZ")
    mark = connector.mark()
    await teams.submit(SAM, arrived, reply_to=listed.activity_id)
    sent = connector.since(mark)
    officer = [s for s in sent if s.conversation_id == TARA.personal_chat]
    assert len(officer) == 1 and "Ada Makebelieve" in card_text(officer[0].card)
    assert "4 Invented Way" in card_text(officer[0].card) and "Pretend Primary" in card_text(officer[0].card)
    line = [s for s in sent if s.conversation_id.startswith(TEAM) and s.method == "POST"]
    assert len(line) == 1 and starter.reference in card_text(line[0].card)
    assert "Makebelieve" not in str(line[0].body) and "Invented" not in str(line[0].body)
    assert "the new pupil return went to the local authority" in card_text(_puts(connector, mark)[-1].card)
    saved = await store.expected_starters.get(starter.id)
    assert saved.status is Status.ARRIVED and saved.arrived_on == date(2026, 11, 16)

    mark = connector.mark()
    await teams.submit(SAM, arrived, reply_to=listed.activity_id)
    assert not [s for s in connector.since(mark) if s.conversation_id == TARA.personal_chat], "told once"
    assert [e.kind for e in await store.expected_starters.history(starter.id)] == ["expected", "arrived"]


async def _installed(teams, connector):
    connector.channels[TEAM] = [{"id": TEAM, "name": None}, {"id": REMINDERS, "name": "CME reminders"}]
    await teams.install_team(ADAM)
    await teams.install_personal(ADAM)
    await teams.install_personal(SAM)


def _channel_posts(connector, mark):
    return [s for s in connector.since(mark) if s.method == "POST" and s.conversation_id.startswith(REMINDERS)]


async def test_a_non_arrival_gets_one_nameless_card_and_one_press_makes_the_case(teams, connector, services, store):
    await _installed(teams, connector)
    starter = await _expect(store, date(2026, 11, 2))  # 5 school days: 2-6 November; due Monday 9 November
    arrived_in_time = await _expect(store, date(2026, 11, 2), "Bea")
    await store.expected_starters.arrived(Starter(
        arrived_in_time.school_id, arrived_in_time.pupil, arrived_in_time.first_day, status=Status.ARRIVED,
        arrived_on=date(2026, 11, 3), id=arrived_in_time.id), SAM_ACTOR)

    mark = connector.mark()
    await run_daily_reminders(services, date(2026, 11, 6))
    assert not [p for p in _channel_posts(connector, mark) if "Not arrived" in card_text(p.card)]
    mark = connector.mark()
    await run_daily_reminders(services, date(2026, 11, 9))
    posts = [p for p in _channel_posts(connector, mark) if "Not arrived" in card_text(p.card)]
    assert len(posts) == 1 and starter.reference in card_text(posts[0].card) and problems(posts[0].card) == []
    assert "Makebelieve" not in str(posts[0].body) and "Ada" not in card_text(posts[0].card)
    mark = connector.mark()
    await run_daily_reminders(services, date(2026, 11, 9))
    await run_daily_reminders(services, date(2026, 11, 10))
    assert not [p for p in _channel_posts(connector, mark) if "Not arrived" in card_text(p.card)], "once"

    post = posts[0]
    status, answer = await teams.invoke(RIYA, "starter.case", {"starter": starter.reference},
                                        reply_to=post.activity_id, conversation=post.conversation_id,
                                        channel=REMINDERS)
    assert status == 200 and "Only the school's staff" in card_text(answer["value"])
    assert (await store.expected_starters.get(starter.id)).status is Status.EXPECTED

    mark = connector.mark()
    status, answer = await teams.invoke(SAM, "starter.case", {"starter": starter.reference},
                                        reply_to=post.activity_id, conversation=post.conversation_id,
                                        channel=REMINDERS)
    assert status == 200 and problems(answer["value"]) == []
    said = card_text(answer["value"])
    assert "Made CME case CME-" in said and "Makebelieve" not in str(answer)
    saved = await store.expected_starters.get(starter.id)
    case = await store.cases.get(saved.case_reference)
    assert case.first_day_absent == case.run_start == date(2026, 11, 2) and case.reason == "never_started"
    assert case.school_id == starter.school_id and case.pupil.full_name == "Ada Makebelieve"
    assert case.due_dates(services.calendars.for_school(await store.schools.get(case.school_id)))[
        Milestone.DAY_5] == date(2026, 11, 6)
    personal = [s for s in connector.since(mark) if s.conversation_id == SAM.personal_chat]
    assert personal and case.reference in card_text(personal[-1].card)
    assert "Ada Makebelieve" in card_text(personal[-1].card)

    status, again = await teams.invoke(SAM, "starter.case", {"starter": starter.reference},
                                       reply_to=post.activity_id, conversation=post.conversation_id,
                                       channel=REMINDERS)
    assert f"Already CME case {case.reference}" in card_text(again["value"])
    assert len(await store.cases.open_cases([starter.school_id])) == 1

    await teams.say(SAM, "expected starters")
    listed = connector.to(SAM.personal_chat)[-1]
    assert f"CME case {case.reference}" in card_text(listed.card)
    assert "Send the new pupil return" not in str(listed.card), "no Arrived once it is a case"


async def test_not_arrived_from_the_list_waits_for_the_5_school_days(teams, connector, store):
    await teams.install_personal(SAM)
    early = await _expect(store, date(2026, 11, 12))  # due Thursday 19 November
    late = await _expect(store, date(2026, 11, 2), "Cy")
    await teams.say(SAM, "expected starters")
    listed = connector.to(SAM.personal_chat)[-1]

    mark = connector.mark()
    await teams.submit(SAM, {"verb": "starter.notarrived", "starter": str(early.id)}, reply_to=listed.activity_id)
    assert "Thursday 19 November 2026" in card_text(_puts(connector, mark)[-1].card)
    assert (await store.expected_starters.get(early.id)).status is Status.EXPECTED

    mark = connector.mark()
    await teams.submit(SAM, {"verb": "starter.notarrived", "starter": str(late.id)}, reply_to=listed.activity_id)
    reference = (await store.expected_starters.get(late.id)).case_reference
    assert reference and f"is CME case {reference}" in card_text(_puts(connector, mark)[-1].card)
    mark = connector.mark()
    await teams.submit(SAM, {"verb": "starter.notarrived", "starter": str(late.id)}, reply_to=listed.activity_id)
    assert f"CME case {reference} already" in card_text(_puts(connector, mark)[-1].card)
    await teams.submit(SAM, {"verb": "starter.arrived", "starter": str(late.id), "arrived_on": "2026-11-16",
                             "address": "x"}, reply_to=listed.activity_id)
    assert (await store.expected_starters.get(late.id)).status is Status.CASE
    assert len(await store.cases.open_cases([late.school_id])) == 1


async def test_arrived_after_the_card_changes_it_in_place_and_its_button_then_does_nothing(teams, connector,
                                                                                           services, store):
    await _installed(teams, connector)
    starter = await _expect(store, date(2026, 11, 2))
    await run_daily_reminders(services, date(2026, 11, 9))
    post = [p for p in _channel_posts(connector, 0) if "Not arrived" in card_text(p.card)][0]

    await teams.say(SAM, "expected starters")
    listed = connector.to(SAM.personal_chat)[-1]
    mark = connector.mark()
    await teams.submit(SAM, press(listed.card, "Send the new pupil return", address="4 Invented Way",
                                  arrived_on="2026-11-16"), reply_to=listed.activity_id)
    updated = [s for s in connector.since(mark) if s.method == "PUT" and s.conversation_id.startswith(REMINDERS)]
    assert updated and "Arrived on 16 November 2026: nothing more to do" in card_text(updated[-1].card)
    assert actions_of(updated[-1].card) == [] and "Makebelieve" not in str(updated[-1].body)

    status, answer = await teams.invoke(SAM, "starter.case", {"starter": starter.reference},
                                        reply_to=post.activity_id, conversation=post.conversation_id,
                                        channel=REMINDERS)
    assert status == 200 and "The pupil arrived: nothing was changed." in card_text(answer["value"])
    assert await store.cases.open_cases([starter.school_id]) == []


async def test_a_press_for_another_schools_starter_or_none_finds_nothing_and_changes_nothing(teams, connector,
                                                                                            store):
    await teams.install_personal(RIYA)
    oakwood = await _expect(store, date(2026, 11, 2))  # Sam's school's, and overdue: Not arrived would make a case
    await teams.say(RIYA, "expected starters")
    listed = connector.to(RIYA.personal_chat)[-1]
    for verb, starter in (("starter.arrived", str(oakwood.id)), ("starter.notarrived", oakwood.reference),
                          ("starter.notarrived", "NS-99999"), ("starter.arrived", "")):
        mark = connector.mark()
        await teams.submit(RIYA, {"verb": verb, "starter": starter, "arrived_on": "2026-11-16", "address": "x"},
                           reply_to=listed.activity_id)
        assert "I cannot find that expected starter at your school." in card_text(_puts(connector, mark)[-1].card)
    assert (await store.expected_starters.get(oakwood.id)).status is Status.EXPECTED
    assert await store.cases.open_cases([oakwood.school_id]) == []
