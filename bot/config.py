"""Configuration from the environment, with the Bot Framework's standard names."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_TERM_DATES = ROOT / "config" / "term-dates.example.toml"
DEVELOPMENT = "development"


class ConfigError(ValueError):
    pass


@dataclass(frozen=True)
class Settings:
    app_id: str = ""
    app_password: str = ""
    app_type: str = "MultiTenant"
    app_tenant_id: str = ""
    # The Bot Framework endpoints, for a sovereign cloud (or a test's identity provider); empty means
    # botbuilder's public-cloud values.
    to_bot_from_channel_openid_metadata_url: str = ""
    to_bot_from_channel_token_issuer: str = ""
    to_channel_from_bot_login_url: str = ""
    to_channel_from_bot_oauth_scope: str = ""
    database_url: str = "sqlite:///var/cme-bot.db"
    term_dates: Path = EXAMPLE_TERM_DATES
    host: str = "0.0.0.0"
    port: int = 3978
    environment: str = "production"
    bootstrap_admins: tuple[str, ...] = ()
    reminder_time: time = time(8, 0)
    timezone: str = "Europe/London"
    today: date | None = None
    scheduler: bool = True
    access_log: bool = False
    workers: int = 1
    retention_years: int = 6  # a closed case is erased this many years after closing (docs/retention.md)
    retention_child_protection_age: int = 25  # with child protection information, not before this birthday
    # Where people's browsers reach this bot, for export download links (bot/exports/); "" means
    # http://localhost:<port>, which serves the playground.
    public_url: str = ""
    export_link_minutes: int = 5  # how long a download link works (it works once)
    # The children not in school register (CWS Act 2026 s.38): off until the section is in force.
    cnis_register_export: bool = False
    instance: str = field(default_factory=lambda: f"{os.uname().nodename}:{os.getpid()}")

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides) -> Settings:
        env = dict(os.environ if env is None else env)
        values = dict(
            app_id=env.get("MicrosoftAppId", ""),
            app_password=env.get("MicrosoftAppPassword", ""),
            app_type=env.get("MicrosoftAppType", "MultiTenant") or "MultiTenant",
            app_tenant_id=env.get("MicrosoftAppTenantId", ""),
            to_bot_from_channel_openid_metadata_url=env.get("ToBotFromChannelOpenIdMetadataUrl", ""),
            to_bot_from_channel_token_issuer=env.get("ToBotFromChannelTokenIssuer", ""),
            to_channel_from_bot_login_url=env.get("ToChannelFromBotLoginUrl", ""),
            to_channel_from_bot_oauth_scope=env.get("ToChannelFromBotOAuthScope", ""),
            database_url=env.get("DATABASE_URL", "sqlite:///var/cme-bot.db"),
            term_dates=Path(env.get("CME_TERM_DATES", str(EXAMPLE_TERM_DATES))),
            host=env.get("HOST", "0.0.0.0"),
            port=_int(env.get("PORT", "3978"), "PORT"),
            environment=env.get("CME_ENV", "production"),
            bootstrap_admins=tuple(a.strip() for a in env.get("CME_BOOTSTRAP_ADMINS", "").split(",") if a.strip()),
            reminder_time=_time(env.get("CME_REMINDER_TIME", "08:00")),
            timezone=env.get("CME_TIMEZONE", "Europe/London"),
            today=_date(env["CME_TODAY"], "CME_TODAY") if env.get("CME_TODAY") else None,
            scheduler=env.get("CME_SCHEDULER", "on").lower() not in ("off", "0", "false", "no"),
            access_log=env.get("CME_ACCESS_LOG", "off").lower() in ("on", "1", "true", "yes"),
            workers=_int(env.get("CME_WORKERS", "1"), "CME_WORKERS"),
            retention_years=_bounded(env.get("CME_RETENTION_YEARS", "6"), "CME_RETENTION_YEARS", 6, 100),
            retention_child_protection_age=_bounded(env.get("CME_RETENTION_CHILD_PROTECTION_AGE", "25"),
                                                    "CME_RETENTION_CHILD_PROTECTION_AGE", 25, 120),
            public_url=env.get("CME_PUBLIC_URL", "").strip().rstrip("/"),
            export_link_minutes=_int(env.get("CME_EXPORT_LINK_MINUTES", "5"), "CME_EXPORT_LINK_MINUTES"),
            cnis_register_export=env.get("CME_CNIS_REGISTER_EXPORT", "off").lower() in ("on", "1", "true", "yes"),
        )
        values.update(overrides)
        return cls(**values)

    def as_environment(self, base: Mapping[str, str] | None = None) -> dict[str, str]:
        """`base` (this process's environment) with these settings written over it under `from_env`'s names, so that
        `from_env` in a child process (bot/daily/child.py) gives the same settings (`serve --dev`, `--port` and a
        test's settings included); the instance aside, which names the child's own runs."""
        env = dict(os.environ if base is None else base)
        env.update({
            "MicrosoftAppId": self.app_id, "MicrosoftAppPassword": self.app_password,
            "MicrosoftAppType": self.app_type, "MicrosoftAppTenantId": self.app_tenant_id,
            "ToBotFromChannelOpenIdMetadataUrl": self.to_bot_from_channel_openid_metadata_url,
            "ToBotFromChannelTokenIssuer": self.to_bot_from_channel_token_issuer,
            "ToChannelFromBotLoginUrl": self.to_channel_from_bot_login_url,
            "ToChannelFromBotOAuthScope": self.to_channel_from_bot_oauth_scope,
            "DATABASE_URL": self.database_url, "CME_TERM_DATES": str(self.term_dates),
            "HOST": self.host, "PORT": str(self.port), "CME_ENV": self.environment,
            "CME_BOOTSTRAP_ADMINS": ",".join(self.bootstrap_admins),
            "CME_REMINDER_TIME": self.reminder_time.isoformat(), "CME_TIMEZONE": self.timezone,
            "CME_TODAY": self.today.isoformat() if self.today else "",
            "CME_SCHEDULER": _on(self.scheduler), "CME_ACCESS_LOG": _on(self.access_log),
            "CME_WORKERS": str(self.workers), "CME_RETENTION_YEARS": str(self.retention_years),
            "CME_RETENTION_CHILD_PROTECTION_AGE": str(self.retention_child_protection_age),
            "CME_PUBLIC_URL": self.public_url, "CME_EXPORT_LINK_MINUTES": str(self.export_link_minutes),
            "CME_CNIS_REGISTER_EXPORT": _on(self.cnis_register_export),
        })
        return env

    @property
    def development(self) -> bool:
        return self.environment == DEVELOPMENT

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def base_url(self) -> str:
        """This bot's address as a browser reaches it (CME_PUBLIC_URL), for links it gives out."""
        return self.public_url or f"http://localhost:{self.port}"

    def local_today(self) -> date:
        """Today in the schools' time zone; CME_TODAY pins it for demonstrations and tests."""
        return self.today or datetime.now(self.zone).date()

    def credentials_problem(self) -> str | None:
        """Why this configuration may not serve Teams in production, or None."""
        if self.development:
            return None
        missing = [name for name, value in (("MicrosoftAppId", self.app_id),
                                            ("MicrosoftAppPassword", self.app_password)) if not value]
        if self.app_type == "SingleTenant" and not self.app_tenant_id:
            missing.append("MicrosoftAppTenantId")
        if missing:
            return (f"{', '.join(missing)} not set: refusing to start without credentials. "
                    "For local development use `cme-bot serve --dev` or CME_ENV=development.")
        return None


def _on(flag: bool) -> str:
    return "on" if flag else "off"


def _int(value: str, name: str) -> int:
    try:
        return int(value)
    except ValueError as error:
        raise ConfigError(f"{name} must be a number, not {value!r}") from error


def _bounded(value: str, name: str, low: int, high: int) -> int:
    """A number of years the law sets a minimum for (CME-RULES: registers 6 years, child protection to 25)."""
    number = _int(value, name)
    if not low <= number <= high:
        raise ConfigError(f"{name} must be from {low} to {high} (the law's minimum is {low}), not {number}")
    return number


def _time(value: str) -> time:
    try:
        return time.fromisoformat(value)
    except ValueError as error:
        raise ConfigError(f"CME_REMINDER_TIME must be HH:MM, not {value!r}") from error


def _date(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise ConfigError(f"{name} must be YYYY-MM-DD, not {value!r}") from error
