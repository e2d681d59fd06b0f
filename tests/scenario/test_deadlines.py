"""Day 1 risk notifications not recorded by the end of the day, and the 1 to 10 day notice to the tracking officer
of a pupil who has left (policy 8.4.1), in the reminders and in the officer's list (today is Monday 16 November)."""

from __future__ import annotations

from datetime import date

from bot.daily.reminders import run_daily_reminders
from cards.validate import problems
from cme.case import Case, Pupil
from cme.deadlines import deadlines
from cme.lifecycle import State
from storage.cases import Actor, NewEvent
from tests.scenario.cards import press
from tests.scenario.connector import card_text
from tests.scenario.teams import SAM, TARA
from tests.scenario.test_reminders import channel_posts, installed
from tests.scenario.test_report import ABSENCE, report, the_case_card

AT_RISK = {"risk_cp_plan": "yes", "risk_looked_after": "no", "risk_harm": "no"}
LEFT = {**ABSENCE, "reason": "moved_no_school"}  # last attended Tuesday 10 November


def cards_titled(connector, mark, title: str) -> list[str]:
    return [card_text(p.card) for p in channel_posts(connector, mark) if card_text(p.card).startswith(title)]


async def test_notifications_not_recorded_are_reminded_the_next_school_day_until_recorded(teams, connector, store,
                                                                                           services):
    await installed(teams, connector)
    case_card = the_case_card(await report(teams, connector, absence=LEFT, risk=AT_RISK))
    reference = card_text(case_card.card).split(":")[0]
    assert "Notify the CME Pupil Tracking Officer by Tuesday 24 November 2026" in card_text(case_card.card)

    mark = connector.mark()
    await run_daily_reminders(services, date(2026, 11, 16))
    assert cards_titled(connector, mark, "Day 1 risk notifications") == [], "the day of the answer is not over"

    mark = connector.mark()
    await run_daily_reminders(services, date(2026, 11, 17))
    [reminder] = cards_titled(connector, mark, "Day 1 risk notifications")
    assert reminder.startswith(f"Day 1 risk notifications: {reference}")
    assert "by the end of Monday 16 November 2026" in reminder
    [digest] = cards_titled(connector, mark, "Overdue on Tuesday 17 November")
    assert f"{reference}** · Oakwood Primary School (fictional) · Day 5 · " in digest
    assert "Day 1 risk notifications (who was notified, not recorded) since 16 Nov" in digest
    for post in channel_posts(connector, mark):
        assert problems(post.card) == []
        for private in ("Ada Example", "Pat Example", "Imaginary Lane", "child protection plan"):
            assert private not in str(post.body)
    mark = connector.mark()
    await run_daily_reminders(services, date(2026, 11, 17))
    assert channel_posts(connector, mark) == [], "once"

    await teams.submit(SAM, press(case_card.card, "Save", notified="social_care", when="17 November 09:00"),
                       reply_to=case_card.activity_id)
    mark = connector.mark()
    await run_daily_reminders(services, date(2026, 11, 18))
    assert not any("Day 1 risk" in text for text in map(card_text, (p.card for p in channel_posts(connector, mark))))

    mark = connector.mark()
    await run_daily_reminders(services, date(2026, 11, 24))
    [notice] = cards_titled(connector, mark, f"Tell the tracking officer: {reference}")
    assert "within 10 school days of the last day attended, by Tuesday 24 November 2026 (policy 8.4.1)" in notice


async def left_long_ago(services, forename: str, reason: str) -> Case:
    school = await services.store.schools.by_urn("900001")
    calendar = services.calendars.for_school(school)
    case = Case(reference="", school_id=school.id, state=State.ENQUIRIES, first_day_absent=date(2026, 11, 2),
                run_start=date(2026, 11, 2), last_day_attended=date(2026, 10, 23), reason=reason,
                pupil=Pupil(forename, "Listexample", date(2016, 1, 5)))
    case, _ = await services.store.cases.create(case, NewEvent("reported", {}, Actor(SAM.aad_object_id, SAM.name)),
                                                case.due_dates(calendar) | deadlines(case, calendar, date(2026, 11, 2)))
    return case


async def test_the_tracking_officer_has_a_leavers_case_from_its_notice_date(teams, connector, services):
    await installed(teams, connector)
    await report(teams, connector, absence=LEFT)  # told by 24 November: not theirs yet
    left = await left_long_ago(services, "Gone", "moved_no_school")  # told by 13 November
    await left_long_ago(services, "Absent", "unknown")
    await teams.say(TARA, "my cases")
    text = card_text(connector.to(TARA.personal_chat)[-1].card)
    assert text.startswith("Cases with the CME Pupil Tracking Officer")
    assert f"**{left.reference}**" in text and text.count("**CME-") == 1
