"""`cme-bot export <kind>`: an export (the register, the census, a return) to a file or standard output, for one
authority, with the kind's options as command-line options (bot/exports/). Written readable by its owner only."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import datetime

from bot.config import Settings
from bot.exports import ExportKind, ExportRefused, all_kinds, to_csv, to_html
from cme.roles import Role
from storage.people import Grant, PersonRoles
from storage.schools import WhichAuthority

ACTOR = "cme-bot export (command line)"


async def _person(store, kind: ExportKind, args: argparse.Namespace) -> PersonRoles:
    """The command line acts as holding the kind's roles in one authority only; with --as-school, as that school's
    staff only, when the kind is one staff may have."""
    which = args.authority.strip() if args.authority else None
    authority = await store.schools.authority(int(which) if which and which.isdigit() else which)
    school = await store.schools.by_urn(args.as_school) if args.as_school else None
    if args.as_school and (school is None or school.authority_id != authority.id):
        raise ExportRefused(f"No school with URN {args.as_school} in {authority.name}.")
    roles = sorted(kind.roles)
    if school and Role.SCHOOL_STAFF in kind.roles:  # as that school's staff only (a return: the school's own)
        roles = [Role.SCHOOL_STAFF]
    grants = tuple(Grant(role, school_id=school.id if school and role is Role.SCHOOL_STAFF else None,
                         authority_id=authority.id) for role in roles)
    return PersonRoles(f"cli:{authority.id}", f"{ACTOR} for {authority.name}", grants)


def _write(text: str, out: str, fmt: str) -> None:
    if out == "-":
        sys.stdout.write(text)
        return
    descriptor = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # children's details: the owner only
    with open(descriptor, "w", encoding="utf-8-sig" if fmt == "csv" else "utf-8", newline="") as file:
        file.write(text)


async def export(args: argparse.Namespace, settings: Settings) -> int:
    from bot.ops.cli import _with_services

    kind = all_kinds()[args.export_kind]

    async def work(services) -> int:
        try:
            person = await _person(services.store, kind, args)
            params = kind.params_from(vars(args))
            if kind.check:
                kind.check(params)
            table = await kind.build(services, person, params)
        except (ExportRefused, WhichAuthority) as error:
            print(f"cme-bot: {error}", file=sys.stderr)
            return 2
        now = f"{datetime.now(settings.zone):%A %-d %B %Y at %H:%M}"
        text = to_csv(table) if args.format == "csv" else to_html(table, asked_by=person.name, asked_at=now)
        _write(text, args.out, args.format)
        await services.store.export_links.record_unlinked(ACTOR, kind.name, params, args.format)
        where = "standard output" if args.out == "-" else args.out
        print(f"{table.title}: {len(table.rows)} line{'s' if len(table.rows) != 1 else ''} written to {where}",
              file=sys.stderr)
        return 0

    return await _with_services(settings, work)


def add_parser(commands) -> None:
    export_kinds = commands.add_parser(
        "export", help="an export (register, census, returns) as CSV or a printable page, for one authority"
    ).add_subparsers(dest="export_kind", required=True)
    for kind in all_kinds().values():
        p = export_kinds.add_parser(kind.name, help=kind.title)
        p.add_argument("--authority", help="the local authority, by id or name (default: the only one)")
        p.add_argument("--as-school", help="URN of a school, for an export its staff would ask for")
        for option in kind.options:
            flag = "--" + option.name.replace("_", "-")
            if option.flag:
                p.add_argument(flag, dest=option.name, action="store_true", help=option.help)
            else:
                p.add_argument(flag, dest=option.name, default="", help=option.help)
        p.add_argument("--format", choices=("csv", "html"), default="csv", help="CSV (default) or a printable page")
        p.add_argument("--out", default="-", help="the file to write (default: standard output)")
        p.set_defaults(run=export)
