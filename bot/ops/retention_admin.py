"""`cme-bot retention run [--dry-run] [--date]`: the retention schedule applied by hand (`serve` applies it monthly)."""

from __future__ import annotations

import argparse
import sys
from datetime import date

from bot.config import Settings


async def retention_run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.daily.retention import run_retention
    from bot.ops.cli import run_and_report

    try:
        on_date = date.fromisoformat(args.date) if args.date else settings.local_today()
    except ValueError:
        print(f"cme-bot: --date must be YYYY-MM-DD, not {args.date!r}", file=sys.stderr)
        return 2
    return await run_and_report(settings, lambda services: run_retention(services, on_date, dry_run=args.dry_run))


def add_parser(commands) -> None:
    retention = commands.add_parser("retention", help="the retention schedule: erase closed cases past retention "
                                                      "down to a tombstone").add_subparsers(
        dest="retention_command", required=True)
    p = retention.add_parser("run", help="erase what is past retention now (serve does it once a month)")
    p.add_argument("--date", help="the day to count from, YYYY-MM-DD (default: today)")
    p.add_argument("--dry-run", action="store_true", help="list what is due without erasing anything")
    p.set_defaults(run=retention_run)
