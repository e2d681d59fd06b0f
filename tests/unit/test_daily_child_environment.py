"""The settings `serve` runs with reach its daily job's process whole (bot/daily/child.py): `serve --dev`, `--port`
and a test's settings are not in the environment `serve` was started with."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import date, time
from pathlib import Path

from bot.config import Settings


def test_every_setting_but_the_instance_reaches_the_child():
    default = Settings()
    changed = Settings(
        app_id="app", app_password="secret", app_type="SingleTenant", app_tenant_id="tenant",
        to_bot_from_channel_openid_metadata_url="https://id.example/openid",
        to_bot_from_channel_token_issuer="https://id.example/issuer", to_channel_from_bot_login_url="https://login",
        to_channel_from_bot_oauth_scope="https://scope", database_url="postgresql://u:p@db:5432/cme",
        term_dates=Path("/etc/cme/terms.toml"), host="127.0.0.1", port=4000, environment="development",
        bootstrap_admins=("a", "b"), reminder_time=time(7, 45, 30), timezone="Europe/Dublin",
        today=date(2026, 11, 16), scheduler=False, access_log=True, workers=3, retention_years=7,
        retention_child_protection_age=26, public_url="https://cme.example.org", export_link_minutes=9,
        cnis_register_export=True, instance="serve-1")
    unchanged = [f.name for f in fields(Settings) if f.name != "instance" and getattr(changed, f.name) == getattr(
        default, f.name)]
    assert unchanged == [], "give each new setting a value here that is not its default"

    stale = {"DATABASE_URL": "sqlite:///elsewhere.db", "CME_TODAY": "2020-01-01", "PATH": "/bin"}
    child = Settings.from_env(changed.as_environment(stale))
    assert replace(child, instance=changed.instance) == changed
    assert child.instance != changed.instance, "the child's runs are named after its own process"
    assert changed.as_environment(stale)["PATH"] == "/bin"
    assert Settings.from_env(default.as_environment(stale)).today is None
