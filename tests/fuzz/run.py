"""`make fuzz`: many fuzzed activities and card payloads at the running bot, and a count of what went wrong.

    python -m tests.fuzz.run [--examples 10000] [--seed 14] [--database sqlite|postgresql]

Exits 1 unless every request got an answer below 500 and the log holds no traceback and no typed value.
As in the tests, a handler failing on card data it did not read through bot/card_data.py fails loudly
(CME_STRICT_HANDLERS=raise: a 500 with its traceback) rather than being refused as unreadable.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, seed, settings

from bot.teams.handler import STRICT
from tests.databases import BACKENDS, PostgresDatabases
from tests.fuzz.activities import activities, label
from tests.fuzz.harness import Outcome, RunningBot

SHOWN = 5


def fuzz(examples: int, chosen_seed: int, database: str = "sqlite") -> int:
    loop = asyncio.new_event_loop()
    postgres = PostgresDatabases() if database == "postgresql" else None
    with tempfile.TemporaryDirectory() as directory:
        bot = RunningBot(Path(directory), loop.run_until_complete(postgres.new()) if postgres else None)
        loop.run_until_complete(bot.__aenter__())
        kinds: Counter = Counter()
        statuses: Counter = Counter()
        failures: list[tuple[object, Outcome]] = []
        counts = Counter()
        unreadable: Counter = Counter()

        @seed(chosen_seed)
        @settings(max_examples=examples, deadline=None, database=None, phases=[Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(activities(bot.known))
        def one(body) -> None:
            outcome = loop.run_until_complete(bot.post(body))
            kinds[label(body)] += 1
            statuses[outcome.status] += 1
            counts["requests"] += 1
            counts["5xx"] += outcome.status >= 500
            counts["tracebacks"] += len(outcome.tracebacks)
            counts["typed values logged"] += len(outcome.leaked)
            unreadable.update(outcome.unreadable)
            if outcome.failed and len(failures) < SHOWN:
                failures.append((body, outcome))

        started = time.monotonic()
        try:
            one()
            half_written = loop.run_until_complete(bot.half_written())
        finally:
            loop.run_until_complete(bot.__aexit__(None, None, None))
            if postgres:
                loop.run_until_complete(postgres.drop_all())
            loop.close()
    seconds = time.monotonic() - started
    for body, outcome in failures:
        print(f"--- {label(body)}: {str(body)[:400]}\n{outcome.why()}\n")
    print(f"fuzz: seed {chosen_seed}, {database}, {seconds:.0f} s")
    print("  by kind: " + ", ".join(f"{kind} {n}" for kind, n in sorted(kinds.items())))
    print("  by status: " + ", ".join(f"{status} {n}" for status, n in sorted(statuses.items())))
    print(f"  refused as unreadable by a handler: {sum(unreadable.values())}" + "".join(
        f"\n    {n} {place}" for place, n in unreadable.most_common()))
    print(f"  cases half written: {len(half_written)} {half_written[:SHOWN]}")
    print("  " + ", ".join(f"{name}: {counts[name]}" for name in ("requests", "5xx", "tracebacks",
                                                                   "typed values logged")))
    failed = counts["5xx"] or counts["tracebacks"] or counts["typed values logged"] or half_written or unreadable
    return 0 if counts["requests"] and not failed else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make fuzz", description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--database", choices=BACKENDS, default="sqlite")
    args = parser.parse_args(argv)
    os.environ.setdefault(STRICT, "raise")
    return fuzz(args.examples, args.seed, args.database)


if __name__ == "__main__":
    sys.exit(main())
