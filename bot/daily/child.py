"""The daily reminders and the COPP panel of `cme-bot serve` in a process of their own.

`serve`'s scheduler starts `python -m bot.daily.child remind` (or `copp`) with its settings in the environment; the
child builds what `cme-bot remind` builds (bot/daily/standalone.py), runs the job exactly as the scheduler ran it in
`serve` before (today's reminders; the COPP sittings whose time has come), prints its report (case references and
channels, never a child's name) and exits 0 when everything was posted, 1 when something was not, 2 when it could not
run, 3 when it failed. So `serve` never holds the job's peak memory, and a job that crashes does not take the bot down.
"""

from __future__ import annotations

import asyncio
import logging
import sys

from bot.config import ConfigError, Settings

JOBS = ("remind", "copp")
NOT_ALL_POSTED, NOT_RUN, FAILED = 1, 2, 3


def _run(job: str):
    """The job as the scheduler of `serve` runs it: today's reminders; the COPP sittings whose time has come."""
    if job == "remind":
        from bot.daily.reminders import run_daily_reminders

        return lambda services: run_daily_reminders(services, services.today())
    from bot.daily.copp import run_copp

    return run_copp


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or args[0] not in JOBS:
        print(f"usage: python -m bot.daily.child {{{','.join(JOBS)}}}", file=sys.stderr)
        return NOT_RUN
    # Warnings and errors only: the report printed at the end says what was posted; `serve` logs both.
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s %(message)s", force=True)
    for library in ("storage.engine", "sqlalchemy"):
        logging.getLogger(library).setLevel(logging.WARNING)
    try:
        settings = Settings.from_env()
    except ConfigError as error:
        print(f"cme-bot: {error}", file=sys.stderr)
        return NOT_RUN
    from bot.ops.cli import run_and_report

    try:
        return asyncio.run(run_and_report(settings, _run(args[0])))
    except Exception:  # noqa: BLE001 - said in the log serve keeps; the next run picks up what is left
        logging.getLogger(__name__).exception("the %s job failed", args[0])
        return FAILED


if __name__ == "__main__":
    sys.exit(main())
