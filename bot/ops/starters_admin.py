"""`cme-bot starters import --school URN FILE.csv`: a school's expected starters from a spreadsheet (September's
Reception and Year 7), checked row by row as the card checks them; one bad row and nothing is imported. Importing the
same file again adds nothing: the same pupil, school and first day are one record."""

from __future__ import annotations

import argparse
import sys

from bot.config import Settings
from cme.expected_starters import FIELDS, parse_csv
from storage.cases import Actor

CLI = Actor("cli", "cme-bot starters import")


async def starters_import(args: argparse.Namespace, settings: Settings) -> int:
    from bot.ops.cli import _read_or_say, _source, _with_services

    source = _source(args.file)
    if (text := _read_or_say(args.file)) is None:
        return 2

    async def work(services) -> int:
        store = services.store
        school = await store.schools.by_urn(args.school)
        if school is None:
            print(f"cme-bot: no school with URN {args.school}. Nothing was imported.", file=sys.stderr)
            return 2
        checked = parse_csv(text, school.id, services.calendars.for_school(school), settings.local_today())
        if checked.problems:
            print(f"cme-bot: {source}: NOTHING was imported, since {len(checked.problems)} problem(s) were found; "
                  "correct them and import the whole file again:", file=sys.stderr)
            for line in checked.problems:
                print(f"  {line}", file=sys.stderr)
            return 2
        added, there = await store.expected_starters.add_many(list(checked.starters), CLI, source="csv")
        print(f"{school.name} ({school.urn}): {added} expected starter(s) added, {there} there already "
              f"(the same pupil and first day), from {source}")
        return 0

    return await _with_services(settings, work)


def add_parser(commands) -> None:
    starters = commands.add_parser("starters", help="expected starters (policy section 6)").add_subparsers(
        dest="starters_command", required=True)
    p = starters.add_parser("import", help="a school's expected starters from a CSV file: all or nothing")
    p.add_argument("--school", required=True, help="the school's URN")
    p.add_argument("file", help=f"the CSV file (a header, then one pupil a line; columns {', '.join(FIELDS)}; "
                                "dates as YYYY-MM-DD), or - for standard input")
    p.set_defaults(run=starters_import)
