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
import os
import sys
from collections.abc import Mapping

from bot.config import ConfigError, Settings

JOBS = ("remind", "copp")
NOT_ALL_POSTED, NOT_RUN, FAILED = 1, 2, 3


def environment(settings: Settings, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """`base` (this process's environment) with `settings` written over it, so that `Settings.from_env` in the child
    gives the same settings (`serve --dev`, `--port` and a test's settings included); the instance aside, which
    names the child's own runs."""
    env = dict(os.environ if base is None else base)
    env.update({
        "MicrosoftAppId": settings.app_id, "MicrosoftAppPassword": settings.app_password,
        "MicrosoftAppType": settings.app_type, "MicrosoftAppTenantId": settings.app_tenant_id,
        "ToBotFromChannelOpenIdMetadataUrl": settings.to_bot_from_channel_openid_metadata_url,
        "ToBotFromChannelTokenIssuer": settings.to_bot_from_channel_token_issuer,
        "ToChannelFromBotLoginUrl": settings.to_channel_from_bot_login_url,
        "ToChannelFromBotOAuthScope": settings.to_channel_from_bot_oauth_scope,
        "DATABASE_URL": settings.database_url, "CME_TERM_DATES": str(settings.term_dates),
        "HOST": settings.host, "PORT": str(settings.port), "CME_ENV": settings.environment,
        "CME_BOOTSTRAP_ADMINS": ",".join(settings.bootstrap_admins),
        "CME_REMINDER_TIME": settings.reminder_time.isoformat(), "CME_TIMEZONE": settings.timezone,
        "CME_TODAY": settings.today.isoformat() if settings.today else "",
        "CME_SCHEDULER": _on(settings.scheduler), "CME_ACCESS_LOG": _on(settings.access_log),
        "CME_WORKERS": str(settings.workers), "CME_RETENTION_YEARS": str(settings.retention_years),
        "CME_RETENTION_CHILD_PROTECTION_AGE": str(settings.retention_child_protection_age),
        "CME_PUBLIC_URL": settings.public_url, "CME_EXPORT_LINK_MINUTES": str(settings.export_link_minutes),
        "CME_CNIS_REGISTER_EXPORT": _on(settings.cnis_register_export),
    })
    return env


def _on(flag: bool) -> str:
    return "on" if flag else "off"


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
