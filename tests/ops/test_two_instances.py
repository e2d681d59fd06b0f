"""Two real `cme-bot serve` processes on one PostgreSQL database, as behind a load balancer.

Both answer /healthz and Teams activities; an activity delivered to both is handled once (the
seen-activity record); the daily job run on both at once posts the Day 5 card once (the claims).
PostgreSQL only: several instances need a shared database server.
"""

from __future__ import annotations

import asyncio
import json
import re
from datetime import date

import aiohttp
import pytest

from bot.calendars import Calendars
from bot.config import EXAMPLE_TERM_DATES
from cme.case import Case, Pupil
from cme.lifecycle import State
from storage.cases import Actor, NewEvent
from storage.store import Store
from tests.e2e.bot_process import BotProcess
from tests.scenario.connector import Connector, card_text
from tests.scenario.teams import ADAM, EWAN, REMINDERS, RIYA, SAM, TEAM, Teams

DAY_ONE = date(2026, 11, 9)   # a Monday in term at Oakwood Primary School (fictional) ...
DAY_FIVE = date(2026, 11, 13)  # ... so Day 5 is the Friday


@pytest.fixture
async def instances(tmp_path, shared_database):
    env = {"CME_TODAY": DAY_FIVE.isoformat(), "CME_SCHEDULER": "off"}
    first = BotProcess(tmp_path, database_url=shared_database, env=env)
    second = BotProcess(tmp_path, database_url=shared_database, env=env)
    await asyncio.to_thread(first.cli, "demo", "load")
    try:
        await asyncio.gather(first.start(demo=False), second.start(demo=False))
        yield first, second
    finally:
        await asyncio.gather(first.stop(), second.stop())


async def add_case_due_day_5(database_url: str) -> str:
    store = Store.from_url(database_url)
    try:
        school = await store.schools.by_urn("900001")
        calendar = Calendars.from_file(EXAMPLE_TERM_DATES).for_school(school)
        case = Case(reference="", school_id=school.id, state=State.ENQUIRIES,
                    pupil=Pupil("Eli", "Imaginary", date(2016, 1, 2)), first_day_absent=DAY_ONE, run_start=DAY_ONE)
        case, _ = await store.cases.create(case, NewEvent("reported", {}, Actor(SAM.aad_object_id, SAM.name)),
                                           case.due_dates(calendar))
        return case.reference
    finally:
        await store.close()


def replies_to(connector: Connector, user) -> list:
    return [sent for sent in connector.to(user.personal_chat) if sent.method == "POST"]


@pytest.mark.parametrize("backend", ["postgresql"])
async def test_two_instances_share_the_work_and_post_each_reminder_once(backend, connector, instances,
                                                                        shared_database):
    first, second = instances
    connector.channels[TEAM] = [{"id": TEAM, "name": None}, {"id": REMINDERS, "name": "CME reminders"}]
    async with aiohttp.ClientSession(first.url) as to_first, aiohttp.ClientSession(second.url) as to_second:
        for session in (to_first, to_second):
            async with session.get("/healthz") as response:
                assert response.status == 200 and json.loads(await response.text())["status"] == "ok"
        via_first, via_second = Teams(to_first, connector.url), Teams(to_second, connector.url)

        # Installed through one instance: the team's channels are known to both (one database).
        await via_first.install_team(ADAM)
        await via_first.install_personal(ADAM)
        for teams, user in ((via_first, SAM), (via_second, RIYA)):
            await teams.say(user, "help")
            reply = await connector.wait_for(lambda sent, user=user: sent.conversation_id == user.personal_chat)
            assert reply.method == "POST"

        # A load balancer may hand Teams' redelivery of one activity to the other instance: handled once.
        activity = via_first.activity(EWAN, text="help")
        answers = await asyncio.gather(via_first.post(activity), via_second.post(dict(activity)))
        assert all(status in (200, 201) for status, _ in answers)
        assert len(replies_to(connector, EWAN)) == 1

    reference = await add_case_due_day_5(shared_database)
    mark = connector.mark()
    runs = await asyncio.gather(*(asyncio.to_thread(bot.cli, "remind", "--date", DAY_FIVE.isoformat())
                                  for bot in (first, second)))
    day_5 = [sent for sent in connector.since(mark)
             if sent.conversation_id.startswith(REMINDERS) and f"Day 5: {reference}" in card_text(sent.card)]
    assert len(day_5) == 1, [run.stdout for run in runs]
    posted = [int(re.search(r"(\d+) posted", run.stdout).group(1)) for run in runs]
    assert sorted(posted) == [0, 1], [run.stdout for run in runs]
    for bot in (first, second):
        assert bot.proc.poll() is None, bot.log_tail()
