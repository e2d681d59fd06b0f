"""`cme-bot serve`'s scheduler: when it fires the daily reminders or the COPP panel, the run happens in a process of
its own (bot/daily/child.py) and posts into Teams; the bot logs its report and exit, never a child's name, and a run
that cannot work does not take the bot down."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import signal
import time
from dataclasses import replace
from datetime import date, datetime

from bot.daily.child import NOT_RUN
from bot.daily.scheduler import copp_job, run_in_child, start_scheduler
from cme.copp import PanelSchedule
from tests.scenario.teams import SAM, TEAM
from tests.scenario.test_copp import PANEL_DAY, _posts, _setting_up
from tests.scenario.test_copp import _cases as copp_cases
from tests.scenario.test_reminders import PUPIL, add_case, channel_posts, installed

SCHEDULER = "bot.daily.scheduler"


async def ended(caplog, what: str, seconds: float = 90) -> list[logging.LogRecord]:
    """The log lines of the exits of every child of this kind started so far (at least one)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        ours = [r for r in caplog.records if r.name == SCHEDULER and what in r.getMessage()]
        exits = [r for r in ours if "(exit " in r.getMessage()]
        if exits and len(exits) == len([r for r in ours if r.getMessage().endswith(" started")]):
            return exits
        await asyncio.sleep(0.2)
    raise AssertionError(f"not every {what} ended: {[r.getMessage() for r in caplog.records]}")


async def test_the_scheduler_fires_the_daily_reminders_and_a_child_posts_them_once(teams, connector, services,
                                                                                    caplog):
    caplog.set_level(logging.INFO, logger=SCHEDULER)
    await installed(teams, connector)
    case = await add_case(services, date(2026, 11, 10))  # Day 5 is the pinned today, Monday 16 November
    mark = connector.mark()
    scheduler = start_scheduler(services)
    try:
        scheduler.modify_job("daily-reminders", next_run_time=datetime.now(services.settings.zone))
        # With a catch-up run, when the scheduler started after 08:00 on a weekday: the claim keeps it to one post.
        exits = await ended(caplog, "daily reminder run")
    finally:
        scheduler.shutdown(wait=False)
    posts = [p for p in channel_posts(connector, mark) if f"Day 5: {case.reference}" in str(p.card)]
    assert len(posts) == 1, [r.getMessage() for r in caplog.records]
    assert all(r.levelno == logging.INFO and "everything due was posted" in r.getMessage() for r in exits)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert f"{case.reference} Day 5" in logged and "(process " in logged
    for private in (PUPIL.forename, PUPIL.surname, PUPIL.postcode):
        assert private not in logged


async def test_the_copp_run_is_started_in_a_child_only_when_a_sitting_is_due(teams, connector, services, caplog):
    caplog.set_level(logging.INFO, logger=SCHEDULER)
    await _setting_up(teams, connector, services.store)
    borough, _ = await copp_cases(services)
    later = PanelSchedule(at=datetime.strptime("23:59", "%H:%M").time())
    for each in await services.store.schools.authorities():  # every panel sits at 23:59 on PANEL_DAY
        await services.store.copp.set_schedule(each.id, later, actor="test")
    assert services.today() == PANEL_DAY
    if datetime.now(services.settings.zone).time() < later.at:
        await copp_job(services)
        assert not [r for r in caplog.records if "COPP panel run" in r.getMessage()], "no sitting due: no process"

    for each in await services.store.schools.authorities():
        await services.store.copp.set_schedule(each.id, PanelSchedule(at=datetime.min.time()), actor="test")
    mark = connector.mark()
    await copp_job(services)
    [record] = await ended(caplog, "COPP panel run", seconds=1)
    assert "everything due was posted" in record.getMessage()
    [digest] = _posts(connector, mark, TEAM)
    assert borough.reference in digest and "Imaginary" not in digest
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "COPP panel: " in logged and "Imaginary" not in logged


async def test_a_run_that_cannot_work_or_is_killed_is_logged_and_the_bot_goes_on(teams, connector, services, caplog,
                                                                                  tmp_path):
    caplog.set_level(logging.INFO, logger=SCHEDULER)
    never_migrated = replace(services.settings, database_url=f"sqlite:///{tmp_path}/nothing/here.db")
    assert await run_in_child("remind", never_migrated) == NOT_RUN
    [record] = await ended(caplog, "daily reminder run", seconds=1)
    assert record.levelno == logging.ERROR and "could not run" in record.getMessage()
    assert "is not migrated" in "\n".join(r.getMessage() for r in caplog.records)

    caplog.clear()
    running = asyncio.create_task(run_in_child("remind", services.settings))
    started = await _logged(caplog, "started")
    os.kill(int(re.search(r"process (\d+)", started.getMessage()).group(1)), signal.SIGKILL)
    assert await running == -signal.SIGKILL
    [record] = await ended(caplog, "daily reminder run", seconds=1)
    assert record.levelno == logging.ERROR and "ended by signal 9" in record.getMessage()

    mark = connector.mark()
    await teams.say(SAM, "help")
    assert (await connector.wait_for(lambda sent: sent.conversation_id == SAM.personal_chat, since=mark)).card


async def _logged(caplog, what: str, seconds: float = 30) -> logging.LogRecord:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if found := [r for r in caplog.records if r.name == SCHEDULER and what in r.getMessage()]:
            return found[0]
        await asyncio.sleep(0.05)
    raise AssertionError(f"not logged: {what}")
