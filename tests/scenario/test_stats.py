"""`stats`: an officer sees their own authority's figures, as charts with the numbers in words, in their personal
chat only; another authority's officer sees other numbers; school staff are not offered it."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.ops.calendar_admin import import_term_dates
from cards.stats import with_fallbacks
from cme.casework import record_outcome
from cme.lifecycle import Outcome
from cme.stats import weighted_median
from storage.cases import Actor, NewEvent
from storage.engine.db import sessionmaker
from storage.tallies import Tallies
from tests.scenario.conftest import TODAY
from tests.scenario.connector import card_text
from tests.scenario.teams import SAM, TARA, TEAM
from tests.scenario.test_authorities import NADIA
from tests.scenario.test_my_cases import add


async def test_each_authoritys_officer_sees_their_own_authoritys_counts(teams, connector, services):
    for n in range(3):
        await add(services, "900001", f"Borough{n}", date(2026, 11, 9), risk_groups=("runaways",))
    await add(services, "900003", "North", date(2026, 10, 1), reason="hard_to_place")
    for person in (TARA, NADIA, SAM):
        await teams.install_personal(person)

    await teams.say(TARA, "stats")
    card = connector.to(TARA.personal_chat)[-1].card
    words = card_text(with_fallbacks(card))
    assert "Statistics: Example Borough Council" in words and "Open cases: 3." in words
    assert "Runaway" in words and "Hard to place" not in words
    assert any(item["type"] == "Chart.VerticalBar" for item in card["body"])
    assert "Borough0" not in words, "counts only"

    await teams.say(NADIA, "stats")
    words = card_text(with_fallbacks(connector.to(NADIA.personal_chat)[-1].card))
    assert "Statistics: Northfield Council (fictional)" in words and "Open cases: 1." in words
    assert "Hard to place" in words and "Runaway" not in words

    await teams.say(SAM, "stats")
    assert "for the CME Pupil Tracking Officer or Education Welfare Service officer" in \
        connector.to(SAM.personal_chat)[-1].text
    mark = connector.mark()
    await teams.install_team(TARA)
    await teams.say(TARA, "stats", channel=TEAM)
    answer = connector.since(mark)[-1]
    assert not answer.cards and "personal chat" in answer.text


# School 900001's own term dates: shut for three weeks inside the absences below (instead of the authority's half
# term week), so each child's school days to locate fall by 10.
SHUT_THREE_WEEKS = '''authority = "Example Borough Council"
covers = { from = 2026-09-01, to = 2027-08-31 }
[[closure]]
name = "Three weeks shut (fictional)"
from = 2026-10-05
to = 2026-10-23
'''


async def test_the_time_to_locate_follows_each_child_located_the_tallies_and_the_term_dates(teams, connector, services,
                                                                                          store):
    """What the officer reads is worked out again when a child is located (before or after the changes are added to
    the tallies) and when the school's term dates change, never an older answer kept."""
    school = await store.schools.by_urn("900001")
    cases = [await add(services, "900001", f"Located{n}", first_day) for n, first_day in
             enumerate((date(2026, 9, 7), date(2026, 9, 21), date(2026, 10, 1)))]
    await teams.install_personal(TARA)
    elsewhere = Tallies(sessionmaker(store.engine))  # another process adding the changes to the tallies

    async def median_read() -> str:
        await teams.say(TARA, "stats")
        words = card_text(with_fallbacks(connector.to(TARA.personal_chat)[-1].card))
        return words.split("Median school days to locate")[1].split(" children located")[0]

    def median_worked_out(located: list) -> str:
        calendar = services.calendars.for_school(school)
        closed_on = datetime.now(UTC).date()  # the day the outcome is recorded
        days = [(calendar.day_number(case.first_day_absent, closed_on), 1) for case in located]
        return f" (Day 1 to the closing outcome): {weighted_median(days):g}, over {len(located)}"

    for n, case in enumerate(cases, start=1):
        change = record_outcome(case, Outcome.RETURNED, TODAY)
        await store.cases.record(change.case, NewEvent(change.event, change.data, Actor(SAM.aad_object_id, SAM.name)))
        assert await median_read() == median_worked_out(cases[:n])
        await elsewhere.add_changes(when_many=False)
        assert await median_read() == median_worked_out(cases[:n])

    before = await median_read()
    await import_term_dates(store, SHUT_THREE_WEEKS, "shut-three-weeks.toml", school_urn="900001", actor="test")
    await services.calendars.refresh(store)
    assert await median_read() == median_worked_out(cases) != before
