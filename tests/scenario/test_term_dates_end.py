"""Past the term dates nothing is guessed: the example dates end on 31 August 2027 (today is Monday 19 July
2027, three school days before the summer holiday). Reminders wait for next year's dates, and the
administrators and the local authority's channel are told."""

from __future__ import annotations

from datetime import date

import pytest

from bot.config import DEVELOPMENT, Settings
from bot.daily.reminders import run_daily_reminders
from bot.ops.calendar_admin import import_term_dates, reschedule_open_cases
from cme.case import Case, Pupil
from cme.lifecycle import State
from cme.milestones import due_dates
from storage.cases import Actor, NewEvent
from tests.scenario.connector import card_text
from tests.scenario.teams import ADAM, REMINDERS, SAM, TEAM

TODAY = date(2027, 7, 19)
ENDS = "the term dates end on 31 August 2027: an administrator must import next year's"
# Day 1 on Monday 12 July 2027: Day 5 on Friday 16 July; Day 8 on 21 July, the last school day the dates cover.
DAY_ONE = date(2027, 7, 12)
# Next year's dates, with this year's closures kept: INSET days on 1 to 3 September 2027 put Day 20 on Tuesday
# 21 September, where counting every weekday would have put it on Thursday 16 September.
NEXT_YEAR = '''authority = "Example Borough Council"
covers = { from = 2026-09-01, to = 2028-08-31 }
[[closure]]
name = "Summer holiday"
from = 2027-07-22
to = 2027-08-31
[[closure]]
name = "INSET days"
from = 2027-09-01
to = 2027-09-03
'''


@pytest.fixture
def settings(database_url):
    return Settings(database_url=database_url, environment=DEVELOPMENT, today=TODAY, scheduler=False)


async def add_case(services) -> Case:
    school = await services.store.schools.by_urn("900001")
    case = Case(reference="", school_id=school.id, state=State.ENQUIRIES, pupil=Pupil("Ada", "Imaginary"),
                first_day_absent=DAY_ONE, run_start=DAY_ONE)
    case, _ = await services.store.cases.create(case, NewEvent("reported", {}, Actor(SAM.aad_object_id, SAM.name)),
                                                due_dates(services.calendars.for_school(school), DAY_ONE))
    return case


def posted(connector, mark: int, channel: str) -> list[str]:
    return [card_text(s.card) for s in connector.since(mark) if s.method == "POST" and s.card
            and s.conversation_id.startswith(channel)]


async def test_cards_show_day_20_as_not_known_yet_with_the_reason(teams, connector, services):
    case = await add_case(services)
    await teams.say(SAM, f"case {case.reference}")
    text = card_text(connector.to(SAM.personal_chat)[-1].card)
    assert "Day 6 of 20 of continuous absence" in text
    assert f"Next: Day 20, on a date not known yet: {ENDS}." in text
    assert f"Earliest off-roll date, if removal from roll is agreed: not known yet: {ENDS}" in text
    assert "September" not in text
    await teams.say(SAM, "my cases")
    text = card_text(connector.to(SAM.personal_chat)[-1].card)
    assert "Day 6 · next: Day 20, date not known yet" in text and f"Not known yet: {ENDS}." in text
    await teams.say(ADAM, "roles")
    text = card_text(connector.to(ADAM.personal_chat)[-1].card)
    assert "The term dates of every school end on 31 August 2027, 2 school day(s) after today" in text
    assert f"1 open case(s) of every school reach Day 20 within 30 school days of 31 August 2027 or after it " \
           f"({case.reference})" in text


async def test_day_20_past_the_term_dates_waits_for_next_years_dates_then_lands_on_the_right_day(
        teams, connector, services, store):
    connector.channels[TEAM] = [{"id": TEAM, "name": None}, {"id": REMINDERS, "name": "CME reminders"}]
    await teams.install_team(ADAM)
    case = await add_case(services)

    mark = connector.mark()
    await run_daily_reminders(services, date(2027, 7, 16))
    assert any(f"Day 5: {case.reference}" in text for text in posted(connector, mark, REMINDERS))
    warning = [text for text in posted(connector, mark, TEAM) if "The term dates are running out" in text]
    assert len(warning) == 1 and case.reference in warning[0] and "Ada" not in warning[0]

    # Past the end, before next year's dates: no Day 20 card, and it is not in the overdue digest either.
    warnings = []
    for on_date in (date(2027, 9, 6), date(2027, 9, 7), date(2027, 9, 16), date(2027, 9, 21)):
        mark = connector.mark()
        await run_daily_reminders(services, on_date)
        assert not [t for t in posted(connector, mark, REMINDERS) if "Day 20" in t], on_date
        warnings += [on_date for t in posted(connector, mark, TEAM) if "running out" in t]
    assert warnings == [date(2027, 9, 6), date(2027, 9, 16), date(2027, 9, 21)], "once a week"

    await import_term_dates(store, NEXT_YEAR, "next-year.toml", school_urn=None, actor="test")
    await services.calendars.refresh(store)
    moved, to_check = await reschedule_open_cases(store, services.calendars, None, "test")
    assert (moved, to_check) == (1, [])
    mark = connector.mark()
    await run_daily_reminders(services, date(2027, 9, 16))
    assert not [t for t in posted(connector, mark, REMINDERS) if "Day 20" in t], "not on the guessed date"
    mark = connector.mark()
    await run_daily_reminders(services, date(2027, 9, 21))
    assert [t for t in posted(connector, mark, REMINDERS) if f"Day 20: {case.reference}" in t]
