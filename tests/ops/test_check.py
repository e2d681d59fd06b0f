"""`cme-bot check`: one line per check, exit 0 only when the configuration is ready (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy.engine import make_url

from bot.config import DEVELOPMENT, EXAMPLE_TERM_DATES, ROOT, Settings
from bot.ops.check import CheckLine, exit_code, run_checks
from cme.roles import Role
from storage.engine.db import create_engine
from storage.migrate import alembic_config
from storage.store import Store

TODAY = date(2026, 11, 16)
CHANNEL = "19:oakwood-cme@thread.tacv2"
AUTHORITY_CHANNEL = "19:la-cme@thread.tacv2"
ADMIN = "00000000-0000-4000-8000-000000000a06"
OFFICER = "00000000-0000-4000-8000-000000000a04"
BOROUGH = "Example Borough Council"
CREDENTIALS = {"app_id": "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b", "app_password": "not-a-real-secret",
               "app_type": "SingleTenant", "app_tenant_id": "5e1f0000-0000-4000-8000-00000000c3e0"}
PUBLIC_URL = "https://cme-bot.example.org"


def settings_for(database_url: str, **changes) -> Settings:
    values = dict(database_url=database_url, term_dates=EXAMPLE_TERM_DATES, today=TODAY, scheduler=False,
                  public_url=PUBLIC_URL, **CREDENTIALS)
    values.update(changes)
    return Settings(**values)


async def installed_channel(store: Store, channel_id: str) -> None:
    reference = {"conversation": {"id": channel_id, "conversationType": "channel"},
                 "serviceUrl": "https://smba.trafficmanager.net/uk/"}
    await store.conversations.save(channel_id, "channel", reference, team_id="19:team@thread.tacv2")


async def good_setup(store: Store, *, channel: str | None = CHANNEL) -> None:
    school = await store.schools.add("900001", "Oakwood Primary School (fictional)", "Example Borough Council",
                                     actor="test", reminders_channel_id=channel)
    await store.schools.set_authority_channel(AUTHORITY_CHANNEL, actor="test")
    for channel_id in (CHANNEL, AUTHORITY_CHANNEL):
        await installed_channel(store, channel_id)
    await store.people.grant(ADMIN, Role.ADMIN, actor="test", name="Adam Admin")
    await store.people.grant(OFFICER, Role.TRACKING_OFFICER, actor="test", name="Tara Tracker")
    assert school.urn == "900001"


def line(lines, what: str):
    found = [entry for entry in lines if entry.what == what]
    assert len(found) == 1, (what, [str(entry) for entry in lines])
    return found[0]


async def test_a_good_configuration_passes_every_check(store, database_url):
    await good_setup(store)
    lines = await run_checks(settings_for(database_url))
    assert [entry.status for entry in lines] == ["ok"] * len(lines), "\n".join(map(str, lines))
    assert exit_code(lines) == 0
    whats = [entry.what for entry in lines]
    for what in ("credentials", "database", "migrations", "term dates", "term dates of the local authority",
                 "term dates of Oakwood Primary School (fictional) (900001)", "schools",
                 "reminders channel of Oakwood Primary School (fictional) (900001)",
                 f"channel of the local authority {BOROUGH}", f"tracking officers of {BOROUGH}",
                 "administrators", "reminders", "COPP panel", "public address (CME_PUBLIC_URL)",
                 "non-arrival cards"):
        assert what in whats
    assert "2027-01-12" in line(lines, "term dates of Oakwood Primary School (fictional) (900001)").detail, \
        "the 30th school day after Monday 16 November 2026, over the Christmas holiday"


async def test_the_command_prints_the_lines_and_exits_0(store, database_url):
    await good_setup(store)
    env = dict(os.environ, DATABASE_URL=database_url, CME_TODAY=TODAY.isoformat(), CME_ENV="production",
               CME_TERM_DATES=str(EXAMPLE_TERM_DATES), MicrosoftAppId=CREDENTIALS["app_id"],
               MicrosoftAppPassword=CREDENTIALS["app_password"], MicrosoftAppType="SingleTenant",
               MicrosoftAppTenantId=CREDENTIALS["app_tenant_id"], CME_BOOTSTRAP_ADMINS="", CME_PUBLIC_URL=PUBLIC_URL)
    done = await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "bot.ops.cli", "check"], cwd=ROOT, env=env,
                                   capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    printed = done.stdout.splitlines()
    assert len(printed) == 16 and all(text.startswith("ok ") for text in printed), done.stdout
    assert CREDENTIALS["app_password"] not in done.stdout + done.stderr


async def test_an_unreachable_database_fails_and_skips_what_needs_it(database_url):
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        broken = "sqlite:////nonexistent-directory/cme-bot.db"
    else:
        broken = url.set(port=1).render_as_string(hide_password=False)
    lines = await run_checks(settings_for(broken))
    assert exit_code(lines) == 1
    database = line(lines, "database")
    assert database.status == "FAILED" and "DATABASE_URL" in database.detail, str(database)
    assert str(database).startswith("FAILED   database: ")
    assert {entry.status for entry in lines if entry.what in ("migrations", "administrators")} == {"skipped"}
    assert not Path("/nonexistent-directory").exists(), "check creates nothing"


async def test_an_unmigrated_database_fails_with_what_to_run(database_url):
    engine = create_engine(database_url)
    config = alembic_config()

    def downgrade(connection) -> None:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")

    try:
        async with engine.begin() as connection:
            await connection.run_sync(downgrade)
    finally:
        await engine.dispose()
    lines = await run_checks(settings_for(database_url))
    assert exit_code(lines) == 1
    migrations = line(lines, "migrations")
    assert migrations.status == "FAILED" and "0001" in migrations.detail and "cme-bot db upgrade" in migrations.detail
    assert line(lines, "database").status == "ok"


async def test_a_school_without_a_reminders_channel_is_missing(store, database_url):
    await store.schools.add("900001", "Oakwood Primary School (fictional)", "Example Borough Council", actor="test")
    await store.people.grant(ADMIN, Role.ADMIN, actor="test")
    lines = await run_checks(settings_for(database_url))
    assert exit_code(lines) == 1
    missing = line(lines, "reminders channel of Oakwood Primary School (fictional) (900001)")
    assert missing.status == "MISSING" and "set reminders channel" in missing.detail
    assert line(lines, f"channel of the local authority {BOROUGH}").status == "WARNING"


async def test_a_school_falls_back_on_the_authority_channel(store, database_url):
    await good_setup(store, channel=None)
    lines = await run_checks(settings_for(database_url))
    fallback = line(lines, "reminders channel of Oakwood Primary School (fictional) (900001)")
    assert fallback.status == "ok" and AUTHORITY_CHANNEL in fallback.detail and "local authority" in fallback.detail


@pytest.mark.parametrize("problem", ["missing", "invalid"])
async def test_a_missing_or_invalid_term_dates_file_fails(store, database_url, tmp_path, problem):
    await good_setup(store)
    term_dates = tmp_path / "term-dates.toml"
    if problem == "invalid":
        term_dates.write_text('authority = "Example Borough Council"\ncovers = { from = 2026-09-01\n')
    lines = await run_checks(settings_for(database_url, term_dates=term_dates))
    assert exit_code(lines) == 1
    failed = line(lines, "term dates")
    assert failed.status == "FAILED" and str(term_dates) in failed.detail, str(failed)
    assert ("No such file" in failed.detail) if problem == "missing" else ("not valid TOML" in failed.detail)
    assert "cme-bot calendar import" in failed.detail


async def test_term_dates_running_out_within_30_school_days_are_missing(store, database_url):
    await good_setup(store)
    lines = await run_checks(settings_for(database_url, today=date(2027, 7, 1)))
    assert exit_code(lines) == 1
    short = line(lines, "term dates of Oakwood Primary School (fictional) (900001)")
    assert short.status == "MISSING" and "2027-08-31" in short.detail and "cme-bot calendar import" in short.detail


async def test_no_administrator_is_missing_unless_bootstrapped(store, database_url):
    await store.schools.add("900001", "Oakwood Primary School (fictional)", "Example Borough Council", actor="test",
                            reminders_channel_id=CHANNEL)
    lines = await run_checks(settings_for(database_url))
    assert line(lines, "administrators").status == "MISSING" and exit_code(lines) == 1
    lines = await run_checks(settings_for(database_url, bootstrap_admins=(ADMIN,)))
    assert line(lines, "administrators").status == "ok"


async def test_credentials_are_missing_in_production_and_a_warning_in_development(store, database_url):
    await good_setup(store)
    bare = {"app_id": "", "app_password": "", "app_type": "SingleTenant", "app_tenant_id": ""}
    lines = await run_checks(settings_for(database_url, **bare))
    credentials = line(lines, "credentials")
    assert credentials.status == "MISSING" and "MicrosoftAppTenantId" in credentials.detail
    assert exit_code(lines) == 1
    lines = await run_checks(settings_for(database_url, environment=DEVELOPMENT, **bare))
    assert line(lines, "credentials").status == "WARNING" and exit_code(lines) == 0


async def test_no_public_address_is_a_warning_outside_development(store, database_url):
    """Without CME_PUBLIC_URL the download links point at localhost: said, though the bot runs without it."""
    await good_setup(store)
    what = "public address (CME_PUBLIC_URL)"
    assert line(await run_checks(settings_for(database_url)), what).detail == f"download links point at {PUBLIC_URL}/exports/"
    lines = await run_checks(settings_for(database_url, public_url=""))
    unset = line(lines, what)
    assert unset.status == "WARNING" and "http://localhost:3978" in unset.detail and "CME_PUBLIC_URL" in unset.detail
    assert exit_code(lines) == 0
    plain = line(await run_checks(settings_for(database_url, public_url="http://cme-bot.example.org")), what)
    assert plain.status == "WARNING" and "not https" in plain.detail
    lines = await run_checks(settings_for(database_url, public_url="", environment=DEVELOPMENT))
    assert line(lines, what).status == "ok" and "development" in line(lines, what).detail


async def test_term_dates_ending_within_a_term_and_cases_reaching_day_20_near_their_end_are_warned(store, database_url):
    from bot.calendars import Calendars
    from cme.case import Case, Pupil
    from cme.lifecycle import State
    from storage.cases import Actor, NewEvent

    await good_setup(store)
    school = await store.schools.by_urn("900001")
    calendar = Calendars.from_file(EXAMPLE_TERM_DATES).for_school(school)
    references = {}
    # Day 20 on Monday 10 May 2027, 47 school days before the example dates end; and on Friday 11 June, 28.
    for forename, day_one in (("Early", date(2027, 4, 12)), ("Late", date(2027, 5, 10))):
        case = Case(reference="", school_id=school.id, state=State.ENQUIRIES, pupil=Pupil(forename, "Imaginary"),
                    first_day_absent=day_one, run_start=day_one)
        case, _ = await store.cases.create(case, NewEvent("reported", {}, Actor("a1", "Sam Staff")),
                                           case.due_dates(calendar))
        references[forename] = case.reference
    lines = await run_checks(settings_for(database_url, today=date(2027, 5, 10)))
    warned = [entry for entry in lines if entry.what == "end of the term dates"]
    assert [entry.status for entry in warned] == ["WARNING", "WARNING"], "\n".join(map(str, lines))
    assert warned[0].detail.startswith("The term dates of every school end on 31 August 2027, 47 school day(s) "
                                       "after today: less than a term (60 school days).")
    assert f"1 open case(s) of every school reach Day 20 within 30 school days of 31 August 2027 or after it " \
           f"({references['Late']})" in warned[1].detail
    assert references["Early"] not in warned[1].detail
    assert exit_code(lines) == 0


async def test_each_authority_is_reported_with_its_channel_and_its_tracking_officers(store, database_url):
    await good_setup(store)
    await store.schools.add("900003", "Hillside Primary School (fictional)", "Northfield Council (fictional)",
                            actor="test")
    lines = await run_checks(settings_for(database_url))
    north = "Northfield Council (fictional)"
    channel = line(lines, f"channel of the local authority {north}")
    assert channel.status == "WARNING" and f"set reminders channel authority {north}" in channel.detail
    officers = line(lines, f"tracking officers of {north}")
    assert officers.status == "WARNING" and "none: nobody can agree a removal" in officers.detail
    assert line(lines, f"tracking officers of {BOROUGH}") == CheckLine("ok", f"tracking officers of {BOROUGH}", "1")
    hillside = line(lines, "reminders channel of Hillside Primary School (fictional) (900003)")
    assert hillside.status == "MISSING", "not Example Borough's channel: another authority's"
    assert exit_code(lines) == 1

    northfield = await store.schools.authority(north)
    await store.schools.set_authority_channel("19:north-cme@thread.tacv2", actor="test", authority_id=northfield.id)
    await installed_channel(store, "19:north-cme@thread.tacv2")
    await store.people.grant("00000000-0000-4000-8000-000000000a07", Role.TRACKING_OFFICER, actor="test",
                             authority_id=northfield.id)
    lines = await run_checks(settings_for(database_url))
    assert [entry.status for entry in lines] == ["ok"] * len(lines), "\n".join(map(str, lines))
    hillside = line(lines, "reminders channel of Hillside Primary School (fictional) (900003)")
    assert "19:north-cme@thread.tacv2" in hillside.detail and north in hillside.detail


async def test_copp_digests_and_packs_not_posted_are_a_warning(store, database_url):
    from datetime import timedelta

    from sqlalchemy import update

    from storage.copp import digest_key, pack_key
    from storage.engine.db import sessionmaker
    from storage.models import DailyJobRun
    from storage.types import utcnow

    await good_setup(store)
    borough = await store.schools.authority(BOROUGH)
    run = await store.reminders.start_run("killed-instance")
    refused = await store.reminders.claim_digest(digest_key(borough.id), TODAY, run)
    await store.reminders.digest_done(refused.id, None, "not posted: no reminders channel is set")
    cut_off = await store.reminders.claim_digest(pack_key(borough.id, OFFICER), TODAY, run)
    await store.reminders.digest_attempt(cut_off.id)
    async with sessionmaker(store.engine).begin() as session:
        await session.execute(update(DailyJobRun).values(heartbeat_at=utcnow() - timedelta(minutes=5)))
    copp = line(await run_checks(settings_for(database_url)), "COPP panel")
    assert copp.status == "WARNING" and copp.detail.startswith(
        f"2 not confirmed posted: {BOROUGH}: the COPP digest of 16 November 2026 (not posted), "
        f"{BOROUGH}: the COPP pack of 16 November 2026 for Tara Tracker (uncertain)"), copp.detail
