"""`cme-bot`: serve the bot, migrate the database, set up schools and roles, check the configuration."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from sqlalchemy.engine import make_url

from bot.config import DEVELOPMENT, ConfigError, Settings
from cme.roles import Role
from storage.engine.db import async_url
from storage.schools import SchoolInfo, WhichAuthority
from storage.sqlite_file import ensure_sqlite_directory
from storage.store import Store

if TYPE_CHECKING:
    from bot.services import Services


def _store(settings: Settings) -> Store:
    ensure_sqlite_directory(settings.database_url)
    return Store.from_url(settings.database_url)


class _Stop(Exception):
    """Ends a command with exit code 1, saying why on standard error."""


def _shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


async def _not_ready(store: Store, settings: Settings, pending_of=None) -> str | None:
    """Why this database cannot be used yet, in one line; None when its schema is current (by `pending_of`, default
    `storage.migrate.pending_revisions`)."""
    from sqlalchemy.exc import SQLAlchemyError

    if pending_of is None:
        from storage.migrate import pending_revisions as pending_of

    try:
        pending = await pending_of(store.engine)
    except (OSError, SQLAlchemyError) as error:
        return f"cme-bot: cannot read the database {_shown(settings.database_url)}: {type(error).__name__}"
    if pending:
        return (f"cme-bot: the database {_shown(settings.database_url)} is not migrated: run `cme-bot db upgrade` "
                "first, or set DATABASE_URL to the bot's database")
    return None


async def _with_store(settings: Settings, work: Callable[[Store], Awaitable[int]], *, migrates: bool = False) -> int:
    """Run `work` on the database; unless the command migrates it, a database not migrated stops it in one line."""
    store = _store(settings)
    try:
        problem = None if migrates else await _not_ready(store, settings)
        if problem:
            print(problem, file=sys.stderr)
            return 2
        return await work(store)
    except _Stop as why:
        print(why, file=sys.stderr)
        return 1
    finally:
        await store.close()


async def _with_services(settings: Settings, work: Callable[[Services], Awaitable[int]]) -> int:
    """Run `work` with the bot's services and the term dates in force, without connecting to Teams; a database not
    migrated, or no term dates at all, stops it in one line."""
    from bot.app import build_services, load_calendars
    from cme.calendar import CalendarError

    services = build_services(settings)
    try:
        if problem := await _not_ready(services.store, settings):
            print(problem, file=sys.stderr)
            return 2
        try:
            await load_calendars(services)
        except CalendarError as error:
            print(f"cme-bot: {error}", file=sys.stderr)
            return 2
        return await work(services)
    finally:
        await services.store.close()


async def _school(store: Store, urn: str | None, hint: str = "") -> SchoolInfo | None:
    """The school of `--school URN`, None without the option; an unknown URN stops the command."""
    if not urn:
        return None
    school = await store.schools.by_urn(urn)
    if school is None:
        raise _Stop(f"no school with URN {urn}{hint}")
    return school


def serve(args: argparse.Namespace, settings: Settings) -> int:
    from aiohttp import web

    from bot.app import create_app
    from bot.ops.garbage import settle

    if args.dev:
        settings = replace(settings, environment=DEVELOPMENT)
    settings = replace(settings, **_overrides(args))
    problem = settings.credentials_problem()
    if problem:
        print(f"cme-bot: {problem}", file=sys.stderr)
        return 2
    if settings.development:
        print("cme-bot: development mode: requests are not authenticated. Never use this with real data.",
              file=sys.stderr)
    from cme.calendar import CalendarError

    workers = args.workers or settings.workers

    def serve_one(worker: Settings) -> int:
        try:
            app = create_app(worker, migrate=not args.no_migrate and workers == 1)
            app.on_startup.append(settle)
            web.run_app(app, host=worker.host, port=worker.port, reuse_port=workers > 1,
                        print=lambda text: print(text, file=sys.stderr), loop=_event_loop(),
                        access_log=logging.getLogger("aiohttp.access") if worker.access_log else None)
        except CalendarError as error:
            print(f"cme-bot: {error}", file=sys.stderr)
            return 2
        return 0

    if workers == 1:
        return serve_one(settings)
    if workers < 1 or make_url(async_url(settings.database_url)).get_backend_name() != "postgresql":
        print("cme-bot: --workers above 1 needs PostgreSQL (SQLite has one writer at a time)" if workers > 1
              else "cme-bot: --workers must be at least 1", file=sys.stderr)
        return 2
    if not args.no_migrate:
        asyncio.run(_with_store(settings, _migrate))
    from bot.ops.workers import run_workers

    return run_workers(settings, workers, serve_one)


async def _migrate(store: Store) -> int:
    from storage.migrate import upgrade

    await upgrade(store.engine)
    return 0


def _event_loop() -> asyncio.AbstractEventLoop:
    """uvloop where it is installed (Linux and macOS): the same asyncio, with less overhead a request."""
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def _overrides(args: argparse.Namespace) -> dict:
    """--host and --port, where given, over HOST and PORT."""
    return {name: getattr(args, name) for name in ("host", "port") if getattr(args, name, None) is not None}


async def db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    from storage.migrate import pending_revisions, upgrade

    async def work(store: Store) -> int:
        before = await pending_revisions(store.engine)
        await upgrade(store.engine)
        print(f"database is current ({len(before)} migration(s) applied)")
        return 0

    return await _with_store(settings, work, migrates=True)


async def schools_add(args: argparse.Namespace, settings: Settings) -> int:
    async def work(store: Store) -> int:
        school = await store.schools.add(args.urn, args.name, args.authority, actor="cli",
                                         reminders_channel_id=args.reminders_channel)
        print(f"school {school.urn}: {school.name} ({school.authority})")
        return 0

    return await _with_store(settings, work)


async def schools_list(args: argparse.Namespace, settings: Settings) -> int:
    async def work(store: Store) -> int:
        for school in await store.schools.all():
            channel = school.reminders_channel_id or "no reminders channel"
            print(f"{school.urn}\t{school.name}\t{school.authority}\t{channel}")
        return 0

    return await _with_store(settings, work)


async def schools_remove(args: argparse.Namespace, settings: Settings) -> int:
    async def work(store: Store) -> int:
        if await store.schools.remove(args.urn, actor="cli"):
            print(f"school {args.urn} removed")
            return 0
        print(f"no school with URN {args.urn}", file=sys.stderr)
        return 1

    return await _with_store(settings, work)


async def roles_add(args: argparse.Namespace, settings: Settings) -> int:
    async def work(store: Store) -> int:
        role = Role(args.role)
        school = await _school(store, args.school, ": add it first with `cme-bot schools add`")
        try:
            authority = (await store.schools.authority(args.authority)
                         if role.needs_authority or (role is Role.ADMIN and args.authority) else None)
            added = await store.people.grant(args.aad, role, actor="cli", name=args.name or "",
                                             school_id=school.id if school else None,
                                             authority_id=authority.id if authority else None)
        except WhichAuthority as error:
            print(f"cme-bot: {error} Use --authority NAME.", file=sys.stderr)
            return 1
        except ValueError as error:
            print(f"cme-bot: {error} Use --school URN.", file=sys.stderr)
            return 1
        where = f" in {authority.name}" if authority else ""
        print(f"{args.aad}: {role.label}{where}" + (" (already held)" if not added else ""))
        return 0

    return await _with_store(settings, work)


async def roles_remove(args: argparse.Namespace, settings: Settings) -> int:
    async def work(store: Store) -> int:
        school_id = None
        if args.school:
            school = await store.schools.by_urn(args.school)
            school_id = school.id if school else -1
        authority_id = None
        if args.authority:
            try:
                authority_id = (await store.schools.authority(args.authority)).id
            except WhichAuthority as error:
                print(f"cme-bot: {error}", file=sys.stderr)
                return 1
        removed = await store.people.revoke(args.aad, Role(args.role), actor="cli", school_id=school_id,
                                            authority_id=authority_id)
        print(f"{args.aad}: {Role(args.role).label} " + ("removed" if removed else "was not held"))
        return 0 if removed else 1

    return await _with_store(settings, work)


async def roles_list(args: argparse.Namespace, settings: Settings) -> int:
    async def work(store: Store) -> int:
        authorities = {a.id: a.name for a in await store.schools.authorities()}
        for person in await store.people.everyone():
            for grant in person.grants:
                where = authorities.get(grant.authority_id, "all authorities")
                print(f"{person.aad_object_id}\t{person.name}\t{grant.role.value}\t{grant.school_name or ''}\t{where}")
        return 0

    return await _with_store(settings, work)


async def demo_load(args: argparse.Namespace, settings: Settings) -> int:
    from bot.ops.demo import load_demo
    from storage.migrate import upgrade

    async def work(store: Store) -> int:
        await upgrade(store.engine)
        lines = await load_demo(store)
        if args.with_child:  # `make run`: a child out of provision, to hand over at once (bot/ops/demo_child.py)
            from bot.calendars import Calendars
            from bot.ops.demo_child import add_demo_child
            lines += await add_demo_child(store, Calendars.from_file(settings.term_dates), settings.local_today())
        for line in lines:
            print(line)
        return 0

    return await _with_store(settings, work, migrates=True)


def package(args: argparse.Namespace, settings: Settings) -> int:
    import os
    from pathlib import Path

    from manifest.package import build_package

    try:
        out = build_package(args.app_id, Path(args.out), version=args.version,
                            privacy_url=os.environ.get("CME_PRIVACY_URL", ""),
                            terms_url=os.environ.get("CME_TERMS_URL", ""),
                            website_url=os.environ.get("CME_WEBSITE_URL", ""),
                            developer_name=os.environ.get("CME_DEVELOPER_NAME", ""))
    except ValueError as error:
        print(f"cme-bot: {error}", file=sys.stderr)
        return 2
    print(f"wrote {out}: upload it in the Teams admin centre (Manage apps > Upload new app)")
    return 0


async def remind(args: argparse.Namespace, settings: Settings) -> int:
    from bot.daily.reminders import run_daily_reminders

    return await run_by_hand(args, settings, run_daily_reminders)


async def run_by_hand(args: argparse.Namespace, settings: Settings, run) -> int:
    """A run of the daily job, or a part of it, for `--date` (default today) and `--dry-run`, as run_and_report."""
    from datetime import date

    try:
        on_date = date.fromisoformat(args.date) if args.date else settings.local_today()
    except ValueError:
        print(f"cme-bot: --date must be YYYY-MM-DD, not {args.date!r}", file=sys.stderr)
        return 2
    return await run_and_report(settings, lambda services: run(services, on_date, dry_run=args.dry_run))


async def run_and_report(settings: Settings, run, refused: tuple[type[Exception], ...] = ()) -> int:
    """A run of the daily job or the panel against a migrated database: its summary printed, 1 unless all posted.

    The process holds only what the job uses (bot/daily/standalone.py), not what `serve` does."""
    from bot.daily.standalone import connected, job_services, pending_heads
    from cme.calendar import CalendarError

    services = job_services(settings)
    try:
        if problem := await _not_ready(services.store, settings, pending_heads):
            print(problem, file=sys.stderr)
            return 2
        async with connected(services):
            report = await run(services)
    except (CalendarError, *refused) as error:
        print(f"cme-bot: {error}", file=sys.stderr)
        return 2
    finally:
        await services.store.close()
    for line in report.lines():
        print(line)
    return 0 if report.all_posted else 1


async def check(args: argparse.Namespace, settings: Settings) -> int:
    from bot.ops.check import exit_code, run_checks

    lines = await run_checks(settings)
    for line in lines:
        print(line)
    code = exit_code(lines)
    print("ready" if code == 0 else "NOT ready: see the lines above", file=sys.stderr)
    return code


def _source(file: str) -> str:
    """How an imported FILE is named in messages (`-`: standard input)."""
    return "<stdin>" if file == "-" else file


def _read_or_say(file: str) -> str | None:
    """The text of a file to import (UTF-8; `-`: standard input); None, said on standard error, when it cannot be
    read."""
    from pathlib import Path

    try:
        return sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        print(f"cme-bot: cannot read {_source(file)}: {reason}. Nothing was imported.", file=sys.stderr)
        return None


async def calendar_import(args: argparse.Namespace, settings: Settings) -> int:
    from bot.calendars import Calendars
    from bot.ops.calendar_admin import import_term_dates, reschedule_open_cases, summary
    from cme.calendar import CalendarError

    source = _source(args.file)
    if (text := _read_or_say(args.file)) is None:
        return 2

    async def work(store: Store) -> int:
        try:
            _stored, term_dates = await import_term_dates(store, text, source, school_urn=args.school, actor="cli")
        except CalendarError as error:
            print(f"cme-bot: the term dates were NOT imported:\n{error}\nThe term dates in force are unchanged.",
                  file=sys.stderr)
            return 2
        whose = f"school {args.school}'s own" if args.school else "the local authority's"
        print(f"imported {whose} term dates: {summary(term_dates)}")
        if term_dates.example:
            print("warning: this file says example = true: its dates are made up, not for real children",
                  file=sys.stderr)
        print("in force now for new commands, and within a minute in every running `cme-bot serve`")
        calendars = Calendars.from_file(settings.term_dates)
        await calendars.refresh(store)
        moved, to_check = await reschedule_open_cases(store, calendars, args.school, "calendar import")
        print(f"open cases whose Day 5 or Day 20 moved with the new dates: {moved}")
        if to_check:
            print("the first day of the current absence is no longer a school day for: " + ", ".join(to_check)
                  + ": open each case and record the right first day or a break", file=sys.stderr)
        return 0

    return await _with_store(settings, work)


async def calendar_show(args: argparse.Namespace, settings: Settings) -> int:
    from bot.calendars import Calendars
    from bot.ops.calendar_admin import describe
    from cme.calendar import CalendarError

    async def work(store: Store) -> int:
        calendars = Calendars.from_file(settings.term_dates)
        await calendars.refresh(store)
        school = await _school(store, args.school)
        try:
            calendar = calendars.for_school(school)
            term_dates = calendars.own_term_dates(school) or calendars.term_dates
        except CalendarError as error:
            print(f"cme-bot: {error}", file=sys.stderr)
            return 2
        title = f"Term dates of {school.name} ({school.urn})" if school else "Term dates of the local authority"
        for line in describe(title, calendars.source_of(school), term_dates, calendar):
            print(line)
        return 0

    return await _with_store(settings, work)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="cme-bot", description="Children Missing Education bot for Microsoft Teams")
    top.add_argument("--verbose", action="store_true", help="log at INFO, the database pool's and migrations' too")
    commands = top.add_subparsers(dest="command", required=True)

    p = commands.add_parser("serve", help="run the bot (migrates the database first)")
    p.add_argument("--dev", action="store_true", help="development mode: no credentials, no authentication")
    p.add_argument("--port", type=int)
    p.add_argument("--host")
    p.add_argument("--no-migrate", action="store_true")
    p.add_argument("--workers", type=int, help="processes answering on the port (PostgreSQL only; "
                                               "default CME_WORKERS or 1)")
    p.set_defaults(sync=serve)

    db = commands.add_parser("db", help="database").add_subparsers(dest="db_command", required=True)
    db.add_parser("upgrade", help="apply the migrations").set_defaults(run=db_upgrade)

    schools = commands.add_parser("schools", help="schools").add_subparsers(dest="schools_command", required=True)
    p = schools.add_parser("add", help="add or update a school")
    p.add_argument("--urn", required=True, help="DfE URN or establishment number")
    p.add_argument("--name", required=True)
    p.add_argument("--authority", required=True, help="its local authority, by name (added if new)")
    p.add_argument("--reminders-channel", help="Teams channel id for its reminders")
    p.set_defaults(run=schools_add)
    schools.add_parser("list").set_defaults(run=schools_list)
    p = schools.add_parser("remove")
    p.add_argument("--urn", required=True)
    p.set_defaults(run=schools_remove)

    roles = commands.add_parser("roles", help="people's roles").add_subparsers(dest="roles_command", required=True)
    for name, run in (("add", roles_add), ("remove", roles_remove)):
        p = roles.add_parser(name)
        p.add_argument("--aad", required=True, help="the person's Entra ID object id (aadObjectId)")
        p.add_argument("--role", required=True, choices=[r.value for r in Role])
        p.add_argument("--school", help="school URN, for school staff")
        p.add_argument("--authority", help="local authority (name) of an officer's or referrer's role, or of an "
                                           "administrator's (else deployment-wide); default: the only one")
        if name == "add":
            p.add_argument("--name", help="display name")
        p.set_defaults(run=run)
    roles.add_parser("list").set_defaults(run=roles_list)

    p = commands.add_parser("remind", help="run the daily Day 5 / Day 20 reminders now (catch-up, tests)")
    p.add_argument("--date", help="the school day to run for, YYYY-MM-DD (default: today)")
    p.add_argument("--dry-run", action="store_true", help="list what is due without claiming or posting")
    p.set_defaults(run=remind)

    from bot.ops.copp_admin import add_parser as add_copp

    add_copp(commands)

    from bot.ops.starters_admin import add_parser as add_starters

    add_starters(commands)

    from bot.ops.export_admin import add_parser as add_export

    add_export(commands)

    from bot.ops.retention_admin import add_parser as add_retention
    from bot.ops.subject_access import add_parser as add_subject_access

    add_retention(commands)
    add_subject_access(commands)

    p = commands.add_parser("check", help="check this configuration: database, migrations, credentials, term "
                                          "dates, channels, administrators")
    p.set_defaults(run=check)

    calendar = commands.add_parser("calendar", help="term dates").add_subparsers(dest="calendar_command",
                                                                                 required=True)
    p = calendar.add_parser("import", help="validate a term dates file (TOML) and put it in force for every "
                                           "instance")
    p.add_argument("file", help="the term dates file, or - to read it from standard input")
    p.add_argument("--school", help="URN of a school whose own dates these are (replacing the authority's for it)")
    p.set_defaults(run=calendar_import)
    p = calendar.add_parser("show", help="the closures in force")
    p.add_argument("--school", help="URN of a school: its calendar (default: the local authority's)")
    p.set_defaults(run=calendar_show)

    p = commands.add_parser("package", help="write the Teams app package (zip) for upload")
    p.add_argument("--app-id", required=True, help="the bot's Microsoft App ID (a GUID)")
    p.add_argument("--out", default="cme-bot.zip")
    p.add_argument("--version", default="1.0.0", help="app version, MAJOR.MINOR.PATCH")
    p.set_defaults(sync=package)

    demo = commands.add_parser("demo", help="demonstration data").add_subparsers(dest="demo_command", required=True)
    demo_loader = demo.add_parser("load", help="fictional schools and a role for every playground identity")
    demo_loader.add_argument("--with-child", action="store_true",
                             help="and a fictional child out of provision at Example Borough, to hand over")
    demo_loader.set_defaults(run=demo_load)
    return top


def _logging(args: argparse.Namespace) -> None:
    """Warnings only, unless --verbose; `serve` logs what the bot does (its log is the service's record),
    but not the database pool's or alembic's comings and goings."""
    verbose, serving = args.verbose, getattr(args, "sync", None) is serve
    logging.basicConfig(level=logging.INFO if verbose or serving else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s %(message)s", force=True)
    if not verbose:
        for library in ("storage.engine", "alembic.runtime.plugins", "sqlalchemy"):
            logging.getLogger(library).setLevel(logging.WARNING)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    _logging(args)
    try:
        settings = Settings.from_env()
    except ConfigError as error:
        print(f"cme-bot: {error}", file=sys.stderr)
        return 2
    if hasattr(args, "sync"):
        return args.sync(args, settings)
    return asyncio.run(args.run(args, settings))


if __name__ == "__main__":
    sys.exit(main())
