"""The daily job: Day 5 and Day 20 cards in the school's channel, exactly once, late rather than lost."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import date, timedelta

from sqlalchemy import update

from bot.app import build_services, connect
from bot.daily.reminders import run_daily_reminders
from cards.validate import problems
from cme.case import Carer, Case, Pupil
from cme.checklist import MISSING_PUPIL_CHECKLIST
from cme.lifecycle import State
from storage.cases import Actor, NewEvent
from storage.engine.db import sessionmaker
from storage.models import ReminderClaim
from storage.store import Store
from storage.types import utcnow
from tests.scenario.connector import card_text
from tests.scenario.teams import ADAM, EWAN, REMINDERS, RIYA, SAM, TEAM

PUPIL = Pupil("Eli", "Imaginary", date(2016, 1, 2), address="3 Pretend Street", postcode="ZZ99 3ZZ",
              carers=(Carer("Jo Imaginary", "07700 900333"),))


async def add_case(services, first_day: date, school_urn: str = "900001") -> Case:
    school = await services.store.schools.by_urn(school_urn)
    calendar = services.calendars.for_school(school)
    case = Case(reference="", school_id=school.id, state=State.ENQUIRIES, pupil=PUPIL, first_day_absent=first_day,
                run_start=first_day)
    case, _ = await services.store.cases.create(case, NewEvent("reported", {}, Actor(SAM.aad_object_id, SAM.name)),
                                                case.due_dates(calendar))
    return case


async def installed(teams, connector):
    connector.channels[TEAM] = [{"id": TEAM, "name": None}, {"id": REMINDERS, "name": "CME reminders"}]
    await teams.install_team(ADAM)
    await teams.install_personal(ADAM)


def channel_posts(connector, since=0):
    return [s for s in connector.since(since) if s.method == "POST" and s.conversation_id.startswith(REMINDERS)]


async def test_day_5_and_day_20_land_on_the_calendar_dates_once(teams, connector, services):
    await installed(teams, connector)
    before_half_term = await add_case(services, date(2026, 10, 19))
    before_christmas = await add_case(services, date(2026, 12, 14))
    expected = {date(2026, 10, 23): (before_half_term, "Day 5"), date(2026, 11, 20): (before_half_term, "Day 20"),
                date(2026, 12, 18): (before_christmas, "Day 5"), date(2027, 1, 25): (before_christmas, "Day 20")}
    for on_date, (case, label) in expected.items():
        quiet = on_date - timedelta(days=1)
        if quiet.weekday() < 5:
            mark = connector.mark()
            await run_daily_reminders(services, quiet)
            assert not [p for p in channel_posts(connector, mark) if "Day 5:" in card_text(p.card)
                        or "Day 20:" in card_text(p.card)], f"nothing new is due on {quiet}"
        mark = connector.mark()
        report = await run_daily_reminders(services, on_date)
        cards = [card_text(p.card) for p in channel_posts(connector, mark)]
        assert any(f"{label}: {case.reference}" in c for c in cards), (on_date, cards, report.lines())
        mark = connector.mark()
        await run_daily_reminders(services, on_date)
        assert channel_posts(connector, mark) == [], "a second run on the same day posts nothing"


async def test_reminder_cards_say_the_minimum_and_validate(teams, connector, services):
    await installed(teams, connector)
    case = await add_case(services, date(2026, 11, 9))
    mark = connector.mark()
    await run_daily_reminders(services, date(2026, 11, 13))
    post = channel_posts(connector, mark)[0]
    text = card_text(post.card)
    assert f"Day 5: {case.reference}" in text and "Oakwood Primary School (fictional)" in text and "Day 5" in text
    assert "contact the education welfare service" in text.lower()
    assert "[EWS contacted]" in text and "[Open checklist]" in text
    for private in ("Imaginary", "Pretend", "ZZ99", "2016-01-02"):
        assert private not in str(post.body)
    assert problems(post.card) == []


async def test_missed_while_down_is_posted_late_with_one_overdue_digest(teams, connector, services):
    await installed(teams, connector)
    first = await add_case(services, date(2026, 11, 2))
    second = await add_case(services, date(2026, 11, 3))
    mark = connector.mark()
    await run_daily_reminders(services, date(2026, 11, 16))
    posts = [card_text(p.card) for p in channel_posts(connector, mark)]
    late = [p for p in posts if "Late: this was due on" in p]
    assert len(late) == 2 and any("Friday 6 November 2026" in p for p in late)
    digests = [p for p in posts if p.startswith("Overdue on Monday 16 November")]
    assert len(digests) == 1 and first.reference in digests[0] and second.reference in digests[0]
    mark = connector.mark()
    await run_daily_reminders(services, date(2026, 11, 16))
    assert channel_posts(connector, mark) == []
    mark = connector.mark()
    await run_daily_reminders(services, date(2026, 11, 17))
    assert [card_text(p.card).split(":")[0] for p in channel_posts(connector, mark)] == [
        "Overdue on Tuesday 17 November"], "the digest nags again the next school day"


async def test_weekends_and_holidays_post_nothing(teams, connector, services):
    await installed(teams, connector)
    await add_case(services, date(2026, 11, 2))
    for closed in (date(2026, 11, 21), date(2026, 12, 25), date(2026, 12, 28)):
        report = await run_daily_reminders(services, closed)
        assert report.skipped
    assert channel_posts(connector) == []


async def test_two_instances_racing_post_once(teams, connector, services, database_url, settings):
    await installed(teams, connector)
    await add_case(services, date(2026, 11, 9))
    other = build_services(replace(settings, instance="second-instance"), Store.from_url(database_url))
    connect(other)
    try:
        mark = connector.mark()
        await asyncio.gather(run_daily_reminders(services, date(2026, 11, 13)),
                             run_daily_reminders(other, date(2026, 11, 13)))
    finally:
        await other.store.close()
    assert len([p for p in channel_posts(connector, mark) if "Day 5:" in card_text(p.card)]) == 1


async def test_a_claim_left_by_a_crash_before_sending_is_posted_by_the_next_run(teams, connector, services):
    await installed(teams, connector)
    case = await add_case(services, date(2026, 11, 9))
    assert await services.store.reminders.claim_due(date(2026, 11, 13), "crashed-instance") == 1
    async with sessionmaker(services.store.engine).begin() as session:
        await session.execute(update(ReminderClaim).values(claimed_at=utcnow() - timedelta(hours=2)))
    mark = connector.mark()
    await run_daily_reminders(services, date(2026, 11, 16))
    assert any(f"Day 5: {case.reference}" in card_text(p.card) for p in channel_posts(connector, mark))


async def test_429_waits_for_retry_after_then_posts_once(teams, connector, services):
    await installed(teams, connector)
    case = await add_case(services, date(2026, 11, 9))
    connector.refuse(429, retry_after="1", conversation=REMINDERS, code="Throttled")
    mark = connector.mark()
    refused_at = asyncio.get_running_loop().time()
    report = await run_daily_reminders(services, date(2026, 11, 13))
    posts = [p for p in channel_posts(connector, mark) if case.reference in card_text(p.card)]
    assert len(posts) == 1 and report.not_posted == []
    assert posts[0].at - refused_at >= 0.9, "the post waited for Retry-After"


async def test_403_marks_the_channel_dead_tells_the_admin_and_keeps_the_reminder(teams, connector, services, store):
    await installed(teams, connector)
    case = await add_case(services, date(2026, 11, 9))
    connector.refuse(403, conversation=REMINDERS, code="BotNotInConversationRoster", times=10)
    report = await run_daily_reminders(services, date(2026, 11, 13))
    assert report.not_posted and case.reference in report.not_posted[0]
    assert not (await store.conversations.get(REMINDERS)).alive
    told = connector.to(ADAM.personal_chat)[-1].text
    assert "cannot post CME reminders" in told and "waiting" in told
    assert [(ref, why.startswith("channel unavailable")) for ref, _m, why in await store.reminders.unsent()] == [
        (case.reference, True)]
    connector.rules.clear()
    await installed(teams, connector)
    mark = connector.mark()
    await run_daily_reminders(services, date(2026, 11, 16))
    assert any(f"Day 5: {case.reference}" in card_text(p.card) for p in channel_posts(connector, mark))


async def test_acting_on_the_channel_card_updates_it_for_everyone(teams, connector, services, store):
    await installed(teams, connector)
    case = await add_case(services, date(2026, 11, 9))
    await run_daily_reminders(services, date(2026, 11, 13))
    post = channel_posts(connector)[-1]

    status, answer = await teams.invoke(RIYA, "reminder.ews", {"case": case.reference, "milestone": "day5"},
                                        reply_to=post.activity_id, conversation=post.conversation_id,
                                        channel=REMINDERS)
    assert status == 200 and "cannot find a case" in card_text(answer["value"])
    assert (await store.cases.get(case.reference)).ews_contacted_on is None

    status, answer = await teams.invoke(EWAN, "reminder.ews", {"case": case.reference, "milestone": "day5"},
                                        reply_to=post.activity_id, conversation=post.conversation_id,
                                        channel=REMINDERS)
    assert status == 200 and answer["type"] == "application/vnd.microsoft.card.adaptive"
    assert "✅ EWS contacted" in card_text(answer["value"]) and "Ewan Welfare" in card_text(answer["value"])
    assert (await store.cases.get(case.reference)).ews_contacted_on == date(2026, 11, 16)
    assert problems(answer["value"]) == []
    status, again = await teams.invoke(EWAN, "reminder.ews", {"case": case.reference, "milestone": "day5"},
                                       reply_to=post.activity_id, conversation=post.conversation_id,
                                       channel=REMINDERS)
    assert "was recorded as contacted" in card_text(again["value"]) or "Already" in card_text(again["value"])
    history = [e.kind for e in await store.cases.history(case.id)]
    assert history.count("ews_contacted") == 1


async def test_set_reminders_channel_in_a_channel(teams, connector, store):
    await installed(teams, connector)
    other_channel = "19:oakwood-cme@thread.tacv2"
    await teams.say(SAM, "set reminders channel", channel=other_channel)
    assert "Oakwood Primary School (fictional)" in connector.to(other_channel)[-1].text
    assert (await store.schools.by_urn("900001")).reminders_channel_id == other_channel
    await teams.say(RIYA, "set reminders channel 900001", channel=other_channel)
    assert "Only an administrator" in connector.to(other_channel)[-1].text


async def test_a_card_updated_by_a_button_keeps_the_day_of_its_title(teams, connector, services, store):
    await installed(teams, connector)
    await teams.install_personal(SAM)
    case = await add_case(services, date(2026, 11, 9))
    await run_daily_reminders(services, date(2026, 11, 13))  # Friday: Day 5; today is Monday 16 November, Day 6
    post = channel_posts(connector)[-1]
    assert f"Day 5: {case.reference}" in card_text(post.card) and "Continuous absence: Day 5 (" in card_text(post.card)

    status, answer = await teams.invoke(EWAN, "reminder.ews", {"case": case.reference, "milestone": "day5"},
                                        reply_to=post.activity_id, conversation=post.conversation_id,
                                        channel=REMINDERS)
    pressed = card_text(answer["value"])
    assert "Continuous absence: Day 5 (" in pressed and "Late" not in pressed, pressed

    await teams.say(SAM, f"case {case.reference}")
    case_card = connector.to(SAM.personal_chat)[-1]
    mark = connector.mark()
    await teams.submit(SAM, {"verb": "case.checklist", "case": case.reference, "key": "k-checklist",
                             **{f"check_{item}": "true" for item, _ in MISSING_PUPIL_CHECKLIST}}, reply_to=case_card.activity_id)
    updates = [s for s in connector.since(mark) if s.method == "PUT" and s.activity_id == post.activity_id]
    assert updates, "the channel card follows the case card"
    for put in updates:
        seen = card_text(put.cards)
        assert "Continuous absence: Day 5 (" in seen and "Late" not in seen, seen
