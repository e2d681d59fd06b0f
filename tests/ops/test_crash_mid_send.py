"""A `cme-bot remind` killed while Teams has a reminder's POST: the next run, started at once, loses nothing.

Real processes against a local Bot Connector that holds one POST unanswered (Teams got it, the answer
never came back), on SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from datetime import date

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.calendars import Calendars
from bot.config import DEVELOPMENT, EXAMPLE_TERM_DATES, ROOT, Settings
from bot.ops.check import run_checks
from bot.ops.demo import load_demo
from cards.reminders import MAYBE_REPEAT
from cme.case import Case, Pupil
from cme.lifecycle import State
from storage.cases import Actor, NewEvent

DAY_ONE = date(2026, 11, 9)   # a Monday in term at Oakwood Primary School (fictional) ...
DAY_FIVE = date(2026, 11, 13)  # ... so Day 5 is the Friday
REMINDERS = "19:cme-reminders@thread.tacv2"  # the demonstration schools' reminders channel
TEAM = "19:cme-team-general@thread.tacv2"
TENANT = "5e1f0000-0000-4000-8000-00000000c3e0"
SAM = "00000000-0000-4000-8000-000000000a01"


class HoldingConnector:
    """Starts channel threads; the POST `hold` picks is taken in and never answered."""

    def __init__(self, hold) -> None:
        self.posted: list[dict] = []  # every activity Teams took in, answered or not
        self.holding = asyncio.Event()
        self._hold = hold

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v3/conversations", self._start_thread)
        app.router.add_post("/v3/conversations/{conversation}/activities", self._post)
        return app

    async def _start_thread(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.posted.append(body.get("activity") or {})
        if not self.holding.is_set() and self._hold(self.posted):
            self.holding.set()
            await asyncio.Event().wait()
        channel = body["channelData"]["channel"]["id"]
        return web.json_response({"id": f"{channel};messageid=m{len(self.posted)}", "activityId": f"m{len(self.posted)}"})

    async def _post(self, request: web.Request) -> web.Response:
        self.posted.append(await request.json())
        return web.json_response({"id": f"m{len(self.posted)}"})

    def reminders_of(self, reference: str) -> list[str]:
        return [text for text in map(json.dumps, self.posted) if f"Day 5: {reference}" in text]


@pytest.fixture
async def holding_connector():
    started: list[TestServer] = []

    async def start(hold) -> HoldingConnector:
        connector = HoldingConnector(hold)
        server = TestServer(connector.app(), host="127.0.0.1")
        await server.start_server()
        started.append(server)
        connector.url = str(server.make_url("/"))
        return connector

    yield start
    for server in started:
        await server.close()


async def three_cases_due_day_5(store, service_url: str | None) -> list[str]:
    await load_demo(store)
    if service_url:
        reference = {"serviceUrl": service_url, "channelId": "msteams",
                     "conversation": {"id": REMINDERS, "conversationType": "channel", "tenantId": TENANT}}
        await store.conversations.save(REMINDERS, "channel", reference, tenant_id=TENANT, team_id=TEAM)
    school = await store.schools.by_urn("900001")
    calendar = Calendars.from_file(EXAMPLE_TERM_DATES).for_school(school)
    references = []
    for forename in ("Eli", "Fen", "Gil"):
        case = Case(reference="", school_id=school.id, state=State.ENQUIRIES, pupil=Pupil(forename, "Imaginary",
                    date(2016, 1, 2)), first_day_absent=DAY_ONE, run_start=DAY_ONE)
        case, _ = await store.cases.create(case, NewEvent("reported", {}, Actor(SAM, "Sam Staff")),
                                           case.due_dates(calendar))
        references.append(case.reference)
    return references


def remind_command(database_url: str) -> tuple[list[str], dict]:
    env = dict(os.environ, CME_ENV="development", PYTHONUNBUFFERED="1", DATABASE_URL=database_url,
               CME_TERM_DATES=str(EXAMPLE_TERM_DATES))
    return [sys.executable, "-m", "bot.ops.cli", "remind", "--date", DAY_FIVE.isoformat()], env


async def remind(database_url: str) -> subprocess.CompletedProcess:
    command, env = remind_command(database_url)
    return await asyncio.to_thread(subprocess.run, command, cwd=ROOT, env=env, capture_output=True, text=True,
                                   timeout=120)


async def test_a_run_killed_mid_send_loses_nothing_and_the_cut_off_one_is_marked(store, database_url,
                                                                                  holding_connector):
    connector = await holding_connector(lambda posted: sum("Day 5: CME-" in json.dumps(p) for p in posted) == 2)
    references = await three_cases_due_day_5(store, connector.url)
    command, env = remind_command(database_url)
    killed = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        await asyncio.wait_for(connector.holding.wait(), 60)
    finally:
        killed.kill()
        output = (await asyncio.to_thread(killed.communicate))[0].decode(errors="replace")
    assert killed.returncode == -9, output
    cut_off = next(ref for ref in references if len(connector.reminders_of(ref)) == 1
                   and connector.reminders_of(ref)[0] == json.dumps(connector.posted[-1]))

    again = await remind(database_url)

    assert again.returncode == 0, again.stdout + again.stderr
    for reference in references:
        cards = connector.reminders_of(reference)
        if reference == cut_off:
            assert len(cards) == 2, (reference, again.stdout)
            assert MAYBE_REPEAT not in cards[0] and MAYBE_REPEAT in cards[1]
        else:
            assert len(cards) == 1 and MAYBE_REPEAT not in cards[0], (reference, again.stdout)
    summary = again.stdout.splitlines()[0]
    assert "0 newly due, 2 taken over from a run that stopped, 2 posted (1 possibly repeated)" in summary, summary
    assert "0 unsent in all" in summary
    assert await store.reminders.unsent() == []


async def test_reminders_left_unposted_are_counted_and_the_command_fails_until_they_are_posted(store, database_url):
    references = await three_cases_due_day_5(store, service_url=None)  # the app is not in the channel's team

    first = await remind(database_url)
    assert first.returncode == 1, first.stdout + first.stderr
    assert "3 newly due" in first.stdout and "3 not posted" in first.stdout

    second = await remind(database_url)  # at once, by another process
    assert second.returncode == 1, second.stdout + second.stderr
    summary = second.stdout.splitlines()[0]
    assert "0 newly due, 3 taken over from a run that stopped, 0 posted" in summary, second.stdout
    assert "3 unsent in all" in summary
    assert all(f"UNSENT: {reference} Day 5" in second.stdout for reference in references), second.stdout

    checked = next(line for line in await run_checks(Settings(database_url=database_url, environment=DEVELOPMENT,
                                                              term_dates=EXAMPLE_TERM_DATES, today=DAY_FIVE,
                                                              scheduler=False))
                   if line.what == "reminders")
    assert checked.status == "WARNING" and all(f"{ref} Day 5 (not posted)" in checked.detail for ref in references)
