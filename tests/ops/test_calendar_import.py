"""`cme-bot calendar import | show`: a validated term dates file, stored in the database, counts the days."""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
from dataclasses import replace
from datetime import date

import pytest

from bot.app import build_services, load_calendars
from bot.config import DEVELOPMENT, EXAMPLE_TERM_DATES, ROOT, Settings
from bot.daily.reminders import run_daily_reminders
from bot.ops import cli
from bot.ops.check import run_checks
from cme.calendar import CalendarError

TODAY = date(2026, 11, 16)
DAY_ONE = date(2026, 11, 9)  # a Monday
# The new dates close Wednesday 11 to Friday 13 November 2026, which the example file leaves open.
GOOD = """\
authority = "Example Borough Council"
covers = { from = 2026-09-01, to = 2027-08-31 }

[[closure]]
name = "Autumn half term"
from = 2026-10-26
to = 2026-10-30

[[closure]]
name = "Boiler replacement closure"
from = 2026-11-11
to = 2026-11-13

[[closure]]
name = "Christmas holiday"
from = 2026-12-21
to = 2027-01-01

[school.900002]
open_days = [2026-11-13]
"""
RIVERSIDE_OWN = """\
authority = "Riverside Academy Trust (fictional)"
covers = { from = 2026-09-01, to = 2027-08-31 }

[[closure]]
name = "Trust INSET week"
from = 2026-11-09
to = 2026-11-10
"""
BAD = {
    "syntax": ('authority = "X"\ncovers = { from = 2026-09-01, to = 2027-08-31\n', ["line 2", "not valid TOML"]),
    "date": (GOOD.replace("from = 2026-11-11", 'from = "11/11/2026"'),
             ["line 11", 'closure 2 "Boiler replacement closure": from', "'11/11/2026'"]),
    "misspelt": (GOOD.replace("[[closure]]\nname = \"Christmas", "[[closures]]\nname = \"Christmas"),
                 ["line 14", "unknown field 'closures'", "[[closure]]"]),
    "backwards": (GOOD.replace("to = 2026-11-13", "to = 2026-11-03"),
                  ["line 12", "ends (2026-11-03) before it starts (2026-11-11)"]),
    "no covers": (GOOD.replace("covers = { from = 2026-09-01, to = 2027-08-31 }\n", ""), ["covers = { from ="]),
    "school field": (GOOD.replace("open_days = [", "open_day = ["), ["line 20", "[school.900002]", "'open_day'"]),
}


@pytest.fixture
def settings(database_url):
    return Settings(database_url=database_url, environment=DEVELOPMENT, today=TODAY, scheduler=False,
                    term_dates=EXAMPLE_TERM_DATES)


@pytest.fixture
async def schools(store):
    oakwood = await store.schools.add("900001", "Oakwood Primary School (fictional)", "Example Borough Council",
                                      actor="test", reminders_channel_id="19:r@thread.tacv2")
    riverside = await store.schools.add("900002", "Riverside Academy (fictional)", "Example Borough Council",
                                        actor="test", reminders_channel_id="19:r@thread.tacv2")
    return oakwood, riverside


async def import_file(settings, path, school=None, capsys=None) -> tuple[int, str, str]:
    code = await cli.calendar_import(argparse.Namespace(file=str(path), school=school), settings)
    out, err = capsys.readouterr() if capsys else ("", "")
    return code, out, err


async def test_imported_dates_are_the_ones_the_bot_counts_with(settings, store, schools, tmp_path, capsys):
    oakwood, riverside = schools
    services = build_services(settings, store)
    await load_calendars(services)
    calendar = services.calendars.for_school(oakwood)
    assert calendar.day_number(DAY_ONE, TODAY) == 6 and calendar.date_of_day(DAY_ONE, 5) == date(2026, 11, 13)

    path = tmp_path / "term-dates-2026-27.toml"
    path.write_text(GOOD)
    code, out, err = await import_file(settings, path, capsys=capsys)
    assert code == 0, err
    assert "Example Borough Council: 3 closure(s), covering 2026-09-01 to 2027-08-31" in out

    # A running instance picks them up on its next refresh (serve refreshes every minute) ...
    assert await services.calendars.refresh(store) is True
    calendar = services.calendars.for_school(oakwood)
    assert calendar.day_number(DAY_ONE, TODAY) == 3, "Mon 9, Tue 10, then closed until Mon 16"
    assert calendar.date_of_day(DAY_ONE, 5) == date(2026, 11, 18)
    assert services.calendars.for_school(riverside).day_number(DAY_ONE, TODAY) == 4, "open on the 13th"
    assert await services.calendars.refresh(store) is False, "nothing changed since"

    # ... and a new one (`cme-bot remind`, a restarted serve) starts with them, the file notwithstanding.
    fresh = build_services(replace(settings, term_dates=tmp_path / "no-such-file.toml"), store)
    await load_calendars(fresh)
    assert fresh.calendars.for_school(oakwood).day_number(DAY_ONE, TODAY) == 3
    report = await run_daily_reminders(fresh, date(2026, 11, 12), dry_run=True)
    assert report.skipped == "every school is closed"
    report = await run_daily_reminders(fresh, date(2026, 11, 13), dry_run=True)
    assert report.skipped is None, "Riverside Academy opens on the 13th"

    lines = await run_checks(replace(settings, term_dates=tmp_path / "no-such-file.toml"))
    term_dates = next(entry for entry in lines if entry.what == "term dates")
    assert term_dates.status == "ok" and "imported" in term_dates.detail and "by cli" in term_dates.detail


@pytest.mark.parametrize("problem", sorted(BAD))
async def test_a_bad_file_is_refused_clearly_and_the_dates_in_force_stay(settings, store, schools, tmp_path, capsys,
                                                                       problem):
    oakwood, _ = schools
    good = tmp_path / "good.toml"
    good.write_text(GOOD)
    assert (await import_file(settings, good, capsys=capsys))[0] == 0
    before = await store.term_dates.get("authority")

    text, expected = BAD[problem]
    bad = tmp_path / "bad.toml"
    bad.write_text(text)
    code, out, err = await import_file(settings, bad, capsys=capsys)
    assert code == 2 and out == ""
    assert "NOT imported" in err and "unchanged" in err and str(bad) in err
    for words in expected:
        assert words in err, (words, err)

    assert await store.term_dates.get("authority") == before
    services = build_services(settings, store)
    await load_calendars(services)
    assert services.calendars.for_school(oakwood).day_number(DAY_ONE, TODAY) == 3


async def test_an_unreadable_file_or_unknown_school_is_refused(settings, store, schools, tmp_path, capsys):
    code, _, err = await import_file(settings, tmp_path / "missing.toml", capsys=capsys)
    assert code == 2 and "cannot read" in err and "No such file" in err
    path = tmp_path / "own.toml"
    path.write_text(RIVERSIDE_OWN)
    code, _, err = await import_file(settings, path, school="999999", capsys=capsys)
    assert code == 2 and "no school with URN 999999" in err
    assert await store.term_dates.all() == []


async def test_a_schools_own_dates_replace_the_authoritys_for_it_only(settings, store, schools, tmp_path, capsys):
    oakwood, riverside = schools
    path = tmp_path / "riverside.toml"
    path.write_text(RIVERSIDE_OWN)
    code, out, err = await import_file(settings, path, school="900002", capsys=capsys)
    assert code == 0 and "school 900002's own term dates" in out, err
    services = build_services(settings, store)
    await load_calendars(services)
    with pytest.raises(CalendarError, match="not a school day at Riverside Academy"):
        services.calendars.for_school(riverside).day_number(DAY_ONE, TODAY)
    assert services.calendars.for_school(riverside).day_number(date(2026, 11, 11), TODAY) == 4
    assert services.calendars.for_school(oakwood).day_number(DAY_ONE, TODAY) == 6, "the example file still"

    # A school's own file may not set the dates of another school.
    other = tmp_path / "other.toml"
    other.write_text(RIVERSIDE_OWN + "\n[school.900001]\nopen_days = [2026-11-14]\n")
    code, _, err = await import_file(settings, other, school="900002", capsys=capsys)
    assert code == 2 and "line 9" in err and "[school.900001]" in err


async def test_show_prints_the_closures_in_force(settings, store, schools, tmp_path, capsys):
    code = await cli.calendar_show(argparse.Namespace(school=None), settings)
    out = capsys.readouterr().out
    assert code == 0 and f"from: the file {EXAMPLE_TERM_DATES}" in out and "EXAMPLE DATES" in out
    path = tmp_path / "good.toml"
    path.write_text(GOOD)
    await import_file(settings, path, capsys=capsys)
    code = await cli.calendar_show(argparse.Namespace(school="900002"), settings)
    out = capsys.readouterr().out
    assert code == 0
    assert out.splitlines()[0] == "Term dates of Riverside Academy (fictional) (900002)"
    assert "term dates of the local authority imported" in out and "by cli" in out
    assert "2026-11-11 to 2026-11-13" in out and "Boiler replacement closure" in out
    assert "open on 2026-11-13" in out and "EXAMPLE" not in out
    assert await cli.calendar_show(argparse.Namespace(school="999999"), settings) == 1


async def test_the_command_reads_standard_input(settings, store, schools, database_url):
    env = dict(os.environ, DATABASE_URL=database_url, CME_ENV="production", CME_TERM_DATES=str(EXAMPLE_TERM_DATES))
    command = [sys.executable, "-m", "bot.ops.cli", "calendar", "import", "-"]
    done = await asyncio.to_thread(subprocess.run, command, input=GOOD, cwd=ROOT, env=env, capture_output=True,
                                   text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "imported the local authority's term dates" in done.stdout
    assert (await store.term_dates.get("authority")).source == GOOD
    done = await asyncio.to_thread(subprocess.run, command, input="authority = 1\n", cwd=ROOT, env=env,
                                   capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "<stdin>, line 1: authority" in done.stderr


async def test_open_cases_follow_new_dates_and_a_closed_day_one_is_flagged(settings, store, schools, tmp_path, capsys):
    from cme.case import Case, Pupil
    from cme.lifecycle import State
    from cme.milestones import Milestone
    from storage.cases import Actor, NewEvent

    oakwood, _ = schools
    services = build_services(settings, store)
    await load_calendars(services)
    calendar = services.calendars.for_school(oakwood)

    async def case_from(day_one):
        case = Case(reference="", school_id=oakwood.id, state=State.ENQUIRIES, pupil=Pupil("Ivo", "Fictional"),
                    first_day_absent=day_one, run_start=day_one)
        created, _ = await store.cases.create(case, NewEvent("reported", {}, Actor("a", "Sam Staff")),
                                              case.due_dates(calendar))
        return created

    moving, stranded = await case_from(DAY_ONE), await case_from(date(2026, 11, 11))
    assert (await store.cases.milestones(moving.id))[Milestone.DAY_5][0] == date(2026, 11, 13)
    path = tmp_path / "term-dates-2026-27.toml"
    path.write_text(GOOD)
    code, out, err = await import_file(settings, path, capsys=capsys)
    assert code == 0, err
    assert "open cases whose Day 5 or Day 20 moved with the new dates: 1" in out
    assert stranded.reference in err and "no longer a school day" in err
    assert (await store.cases.milestones(moving.id))[Milestone.DAY_5][0] == date(2026, 11, 18)
    history = await store.cases.history(moving.id)
    assert history[-1].kind == "milestones_rescheduled" and history[-1].actor_name == "calendar import"
    assert history[-1].data["moved"]["day5"] == ["2026-11-13", "2026-11-18"]
