"""`cme-bot copp set | show | run`: an authority's COPP panel settings, and the panel run by hand."""

from __future__ import annotations

import argparse
import sys
from datetime import date

from bot.config import Settings
from cme.copp import PanelSchedule, ScheduleError, next_panel, parse_time, parse_weekday
from storage.schools import WhichAuthority


async def copp_set(args: argparse.Namespace, settings: Settings) -> int:
    from bot.ops.cli import _with_store

    async def work(store) -> int:
        try:
            authority = await store.schools.authority(args.authority or None)
            current = await store.copp.schedule(authority.id)
            anchor = date.fromisoformat(args.start) if args.start else current.anchor
            weekday = parse_weekday(args.weekday) if args.weekday else (
                anchor.weekday() if args.start and anchor.weekday() < 5 else current.weekday)
            schedule = PanelSchedule(weekday, parse_time(args.time) if args.time else current.at, anchor)
        except (WhichAuthority, ScheduleError, ValueError) as error:
            print(f"cme-bot: {error}", file=sys.stderr)
            return 2
        await store.copp.set_schedule(authority.id, schedule, actor="cme-bot copp set")
        print(f"{authority.name}: the COPP panel sits {schedule.describe()}")
        return 0

    return await _with_store(settings, work)


async def copp_show(args: argparse.Namespace, settings: Settings) -> int:
    from bot.ops.cli import _with_services

    async def work(services) -> int:
        calendar = services.calendars.for_school(None)
        for authority in await services.store.schools.authorities():
            schedule = await services.store.copp.schedule(authority.id)
            coming = next_panel(schedule, calendar, settings.local_today())
            print(f"{authority.name}: {schedule.describe()}; next {coming.day:%A %-d %B %Y}")
        return 0

    return await _with_services(settings, work)


async def copp_run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.daily.copp import run_copp
    from bot.ops.cli import run_and_report

    try:
        on_date = date.fromisoformat(args.date) if args.date else None
    except ValueError:
        print(f"cme-bot: --date must be YYYY-MM-DD, not {args.date!r}", file=sys.stderr)
        return 2
    return await run_and_report(settings, lambda services: run_copp(services, on_date=on_date,
                                                                    authority=args.authority or None),
                                refused=(WhichAuthority,))


def add_parser(commands) -> None:
    copp = commands.add_parser("copp", help="the fortnightly Children Out of Provision Panel").add_subparsers(
        dest="copp_command", required=True)
    p = copp.add_parser("set", help="an authority's panel: weekday, time and the first sitting")
    p.add_argument("--authority", help="the local authority, by name (default: the only one)")
    p.add_argument("--weekday", help="monday to friday (default: --from's weekday, else as set, else monday)")
    p.add_argument("--time", help="HH:MM, local time (default: as set, else 09:00)")
    p.add_argument("--from", dest="start", help="YYYY-MM-DD: the first sitting is on the weekday on or after it, "
                                                "then every second week")
    p.set_defaults(run=copp_set)
    copp.add_parser("show", help="each authority's panel and its next sitting").set_defaults(run=copp_show)
    p = copp.add_parser("run", help="post the panel now: the latest sitting not posted yet (catch-up, tests)")
    p.add_argument("--date", help="YYYY-MM-DD: post the sittings on or before it, whatever their time "
                                  "(default: those whose time has come now)")
    p.add_argument("--authority", help="only this local authority")
    p.set_defaults(run=copp_run)
