"""`cme-bot` on the command line: quiet unless asked, and a database not yet migrated is named in one line."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from bot.config import EXAMPLE_TERM_DATES, ROOT

CME_BOT = Path(sys.executable).parent / "cme-bot"
USING_THE_DATABASE = [
    ["remind", "--date", "2026-11-20"],
    ["schools", "list"],
    ["schools", "add", "--urn", "900009", "--name", "Nowhere School (fictional)", "--authority", "Example"],
    ["roles", "list"],
    ["roles", "add", "--aad", "00000000-0000-4000-8000-000000000099", "--role", "admin"],
    ["calendar", "show"],
    ["calendar", "import", str(EXAMPLE_TERM_DATES)],
]


def cme_bot(*args: str, database_url: str | None, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env |= {"CME_ENV": "development", "CME_TERM_DATES": str(EXAMPLE_TERM_DATES), "CME_TODAY": "2026-11-16"}
    if database_url:
        env["DATABASE_URL"] = database_url
    return subprocess.run([str(CME_BOT), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


async def run(*args: str, database_url: str | None, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return await asyncio.to_thread(cme_bot, *args, database_url=database_url, cwd=cwd)


@pytest.fixture
async def empty_database_url(database_url, tmp_path):
    """A database on each backend that nothing has migrated yet."""
    if database_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'empty.db'}"
    url = make_url(database_url)
    connection = await asyncpg.connect(host=url.host, port=url.port or 5432, user=url.username,
                                       password=url.password, database=url.database, timeout=10)
    try:
        await connection.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    finally:
        await connection.close()
    return database_url


async def test_a_database_not_migrated_stops_every_command_with_one_line(empty_database_url):
    for command in USING_THE_DATABASE:
        done = await run(*command, database_url=empty_database_url)
        assert done.returncode == 2, (command, done.stderr[-2000:])
        assert done.stdout == "" and done.stderr.count("\n") == 1, (command, done.stderr[-2000:])
        assert "is not migrated: run `cme-bot db upgrade` first" in done.stderr, (command, done.stderr)


async def test_remind_as_the_readme_words_it_without_database_url_says_what_to_do(tmp_path):
    done = await run("remind", "--date", "2026-11-20", database_url=None, cwd=tmp_path)
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr[-2000:]
    assert "sqlite:///var/cme-bot.db is not migrated" in done.stderr and "DATABASE_URL" in done.stderr


async def test_commands_print_no_info_lines_unless_verbose(empty_database_url):
    done = await run("db", "upgrade", database_url=empty_database_url)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert re.fullmatch(r"database is current \(\d+ migration\(s\) applied\)\n", done.stdout)
    for command in (["schools", "list"], ["remind", "--date", "2026-11-20", "--dry-run"]):
        done = await run(*command, database_url=empty_database_url)
        assert done.returncode == 0 and " INFO " not in done.stderr, (command, done.stderr)
    done = await run("--verbose", "schools", "list", database_url=empty_database_url)
    assert done.returncode == 0 and " INFO storage.engine" in done.stderr, done.stderr


def test_the_readme_gives_the_remind_command_make_run_prints():
    script = (ROOT / "scripts" / "run-demo.sh").read_text(encoding="utf-8")
    default = re.search(r"DATABASE_URL=\$\{DATABASE_URL:-([^}]+)\}", script).group(1)
    banner = re.search(r"^\s*(DATABASE_URL=\$DATABASE_URL .*cme-bot remind .*)$", script, re.M).group(1)
    command = banner.replace("$DATABASE_URL", default)
    assert command in (ROOT / "README.md").read_text(encoding="utf-8"), command
