"""`cme-bot serve` refuses to start without credentials, unless in development mode."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest
from aiohttp import web

from bot.ops.cli import main

CLI = Path(sys.executable).with_name("cme-bot")
COMMAND = [str(CLI)] if CLI.exists() else [sys.executable, "-m", "bot.ops.cli"]
CREDENTIALS = {"MicrosoftAppId": "00000000-0000-4000-8000-00000000cb07", "MicrosoftAppPassword": "not-a-real-secret"}

REFUSED = {
    "no credentials": ({}, ["MicrosoftAppId", "MicrosoftAppPassword"]),
    "SingleTenant without a tenant": ({**CREDENTIALS, "MicrosoftAppType": "SingleTenant"}, ["MicrosoftAppTenantId"]),
}
DEVELOPMENT = {"--dev": ["--dev"], "CME_ENV=development": []}


def _env(directory: Path, **values: str) -> dict[str, str]:
    """A clean environment: nothing from the developer's shell reaches the bot."""
    return {"PATH": os.environ.get("PATH", ""), "HOME": str(directory), "CME_SCHEDULER": "off",
            "DATABASE_URL": f"sqlite:///{directory / 'cme-bot.db'}", **values}


async def _refused(directory: Path, env: dict[str, str]) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        *COMMAND, "serve", cwd=directory, env=_env(directory, **env),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    except TimeoutError:
        process.kill()
        await process.wait()
        return -1, "still running after 30 s: it did not refuse"
    return process.returncode, stderr.decode()


@pytest.fixture(scope="module")
async def outcomes(tmp_path_factory):
    """Every case at once, as separate processes: each takes a second or two to import the bot."""
    directories = {name: tmp_path_factory.mktemp("serve") for name in REFUSED}
    results = await asyncio.gather(*(_refused(directories[name], env) for name, (env, _) in REFUSED.items()))
    return {name: (result, directories[name]) for name, result in zip(REFUSED, results, strict=True)}


@pytest.mark.parametrize("case", list(REFUSED))
async def test_serve_refuses_to_start_without_credentials(case, outcomes):
    (status, stderr), directory = outcomes[case]
    _, named = REFUSED[case]
    assert status == 2, stderr
    assert "refusing to start without credentials" in stderr
    for variable in named:
        assert variable in stderr
    assert not (directory / "cme-bot.db").exists(), "it touched the database before refusing"


def _serve_in_process(directory: Path, monkeypatch, args: list[str], env: dict[str, str]) -> tuple[int, list]:
    """`cme-bot serve` in this process, with aiohttp's run_app replaced: quick, and it never listens.

    Gives the exit status and each (application, run_app's options) it would have served.
    """
    served: list = []

    def run_app(app: web.Application, **options) -> None:
        served.append((app, options))

    monkeypatch.setattr(web, "run_app", run_app)
    for name in (*CREDENTIALS, "MicrosoftAppType", "MicrosoftAppTenantId", "CME_ENV", "HOST", "PORT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in _env(directory, **env).items():
        monkeypatch.setenv(name, value)
    return main(["serve", *args]), served


def test_serve_refuses_to_start_with_an_app_id_but_no_password(tmp_path, monkeypatch, capsys):
    status, served = _serve_in_process(tmp_path, monkeypatch, [], {"MicrosoftAppId": CREDENTIALS["MicrosoftAppId"]})
    assert status == 2 and served == []
    assert "MicrosoftAppPassword not set" in capsys.readouterr().err


@pytest.mark.parametrize("case", list(DEVELOPMENT))
def test_serve_starts_without_credentials_in_development_mode(case, tmp_path, monkeypatch):
    env = {} if DEVELOPMENT[case] else {"CME_ENV": "development"}
    status, served = _serve_in_process(tmp_path, monkeypatch, ["--no-migrate", *DEVELOPMENT[case]], env)
    assert status == 0
    assert len(served) == 1 and isinstance(served[0][0], web.Application)


def test_serve_starts_with_credentials(tmp_path, monkeypatch):
    status, served = _serve_in_process(tmp_path, monkeypatch, ["--no-migrate"], CREDENTIALS)
    assert status == 0 and len(served) == 1



@pytest.mark.parametrize("mode", [[], ["--dev"]], ids=["production", "development"])
def test_serve_listens_where_host_and_port_say(mode, tmp_path, monkeypatch):
    status, served = _serve_in_process(tmp_path, monkeypatch, ["--no-migrate", "--host", "127.0.0.2",
                                                                "--port", "4123", *mode], CREDENTIALS)
    assert status == 0
    assert served[0][1]["host"] == "127.0.0.2" and served[0][1]["port"] == 4123


def test_serve_listens_where_host_and_port_variables_say_without_options(tmp_path, monkeypatch):
    status, served = _serve_in_process(tmp_path, monkeypatch, ["--no-migrate"],
                                       {**CREDENTIALS, "HOST": "127.0.0.3", "PORT": "4124"})
    assert status == 0
    assert served[0][1]["host"] == "127.0.0.3" and served[0][1]["port"] == 4124
