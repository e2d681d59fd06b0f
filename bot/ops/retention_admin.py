"""`cme-bot retention run [--dry-run] [--date]`: the retention schedule applied by hand (`serve` applies it monthly)."""

from __future__ import annotations

import argparse

from bot.config import Settings


async def retention_run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.daily.retention import run_retention
    from bot.ops.cli import run_by_hand

    return await run_by_hand(args, settings, run_retention)


def add_parser(commands) -> None:
    retention = commands.add_parser("retention", help="the retention schedule: erase closed cases past retention "
                                                      "down to a tombstone").add_subparsers(
        dest="retention_command", required=True)
    p = retention.add_parser("run", help="erase what is past retention now (serve does it once a month)")
    p.add_argument("--date", help="the day to count from, YYYY-MM-DD (default: today)")
    p.add_argument("--dry-run", action="store_true", help="list what is due without erasing anything")
    p.set_defaults(run=retention_run)
