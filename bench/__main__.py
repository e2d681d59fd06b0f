"""`python -m bench` (`make bench`): run every benchmark, print the table, write docs/performance.md."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import messages, national, reminders, scale, startup, storm
from bench.common import ROOT, Databases, machine
from bench.report import Results, markdown, terminal

DOC = ROOT / "docs" / "performance.md"


def _say(text: str) -> None:
    print(f"[bench] {text}", file=sys.stderr, flush=True)


async def main(args: argparse.Namespace) -> Results:
    started = datetime.now(UTC)
    results = Results(started, machine(), args.quick, load_before=" ".join(f"{x:.2f}" for x in os.getloadavg()))
    workdir = Path(tempfile.mkdtemp(prefix="cme-bench-"))
    databases = Databases(workdir)
    postgres = not args.no_postgres
    if postgres:
        problem = await databases.postgres_available()
        if problem:
            postgres = False
            results.postgres_skipped = f"unreachable: {problem}"
    elif args.no_postgres:
        results.postgres_skipped = "--no-postgres"
    seconds, warmup = (2.0, 0.5) if args.quick else (6.0, 1.5)
    begun = time.perf_counter()
    try:
        if "messages" in args.only:
            _say(f"1. messages, {args.rounds} rounds of: echo sample, bare aiohttp, then ours on SQLite"
                 + (" and PostgreSQL" if postgres else ""))
            results.rounds = await messages.run(databases, workdir, seconds=seconds, warmup=warmup,
                                                postgres=postgres, rounds=args.rounds, workers=not args.quick,
                                                say=_say)
        if "scale" in args.only:
            _say(f"5. pages at {', '.join(f'{n:,}' for n in scale.SIZES)} open cases, {args.rounds} rounds")
            results.scale_seeded, results.scale = await scale.run(
                databases, workdir, seconds=2.0, warmup=0.5, postgres=postgres, rounds=args.rounds, say=_say)
        if "national" not in args.only:
            results.national_skipped = "left out (--only)"
        elif postgres:
            _say("2. the daily job at national scale (PostgreSQL)")
            try:  # one benchmark failing must not lose the others' figures
                results.national = await national.run(databases)
            except Exception as error:  # noqa: BLE001 - reported in the table, with its type
                _say(f"2. failed: {type(error).__name__}: {error}")
                results.national_skipped = f"failed: {type(error).__name__}: {str(error).splitlines()[0]}"
        else:
            results.national_skipped = results.postgres_skipped or "PostgreSQL left out"
        if "reminders" in args.only:
            _say("3. 500 reminders into 50 channels within Teams' limits")
            results.posting = await reminders.run(databases, workdir, postgres=postgres)
        if "startup" in args.only:
            _say("4. start-up and idle memory of cme-bot serve")
            results.startup = await startup.run(databases, workdir, postgres=postgres)
        if "storm" in args.only and postgres:
            results.storm = await storm.run(databases, workdir, say=_say)
    finally:
        await databases.drop_all()
    results.seconds = time.perf_counter() - begun
    results.load_after = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return results


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true",
                        help="shorter message runs (2 s each instead of 6 s), PostgreSQL's --workers 2 left out")
    parser.add_argument("--rounds", type=int, default=messages.ROUNDS,
                        help=f"rounds of the message benchmark (default {messages.ROUNDS}, at least 3 to be judged)")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only; the national-scale job is skipped")
    parser.add_argument("--no-write", action="store_true", help=f"print the table only, leave {DOC.name} alone")
    parser.add_argument("--only", nargs="+", default=["messages", "scale", "national", "reminders", "startup"],
                        choices=["messages", "scale", "national", "reminders", "startup", "storm"],
                        help="the benchmarks to run (default all but storm, the national report storm: about 5 min)")
    return parser.parse_args(argv)


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    arguments = parse()
    outcome = asyncio.run(main(arguments))
    print(terminal(outcome))
    if not arguments.no_write:
        DOC.write_text(markdown(outcome), encoding="utf-8")
        _say(f"wrote {DOC.relative_to(ROOT)}")
