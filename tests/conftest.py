from __future__ import annotations

import os
from collections import Counter

import pytest
from aiohttp.test_utils import TestServer

from storage.store import Store
from tests.databases import BACKENDS, PostgresDatabases, SqliteDatabases, postgres_required
from tests.scenario.connector import Connector

_ran: Counter = Counter()
_skipped_postgres: list[str] = []


@pytest.fixture(scope="session")
async def databases(tmp_path_factory):
    made = {"sqlite": SqliteDatabases(tmp_path_factory.mktemp("sqlite")), "postgresql": PostgresDatabases()}
    yield made
    for backend in made.values():
        await backend.drop_all()


@pytest.fixture(params=BACKENDS)
async def database_url(request, databases):
    """A fresh, migrated database on each backend: the same storage test runs on SQLite and PostgreSQL."""
    backend = request.param
    if backend == "postgresql" and not postgres_required():
        pytest.skip("CME_TEST_POSTGRES=skip")
    try:
        url = await databases[backend].new()
    except OSError as error:
        pytest.fail(f"PostgreSQL is not reachable ({error}); start it or set CME_TEST_POSTGRES=skip locally")
    yield url
    if backend == "postgresql":
        await databases[backend].drop(url)


@pytest.fixture
async def connector():
    """A local Bot Connector: what the bot sends, and answers as Teams gives them."""
    connector = Connector()
    server = TestServer(connector.app(), host="127.0.0.1")
    await server.start_server()
    connector.url = str(server.make_url("/")).rstrip("/") + "/"
    yield connector
    await server.close()


@pytest.fixture
async def store(database_url):
    store = Store.from_url(database_url)
    yield store
    await store.close()


def pytest_configure(config):
    """A pupil's details sent where they do not belong is a failure here, not a log line (bot/privacy.py);
    so is a handler failing on card data it did not read through bot/card_data.py (bot/teams/handler.py)."""
    os.environ["CME_PUPIL_DETAILS_REFUSED"] = "raise"
    os.environ["CME_STRICT_HANDLERS"] = "raise"


def pytest_runtest_logreport(report):
    backend = next((b for b in BACKENDS if f"[{b}" in report.nodeid or f"-{b}]" in report.nodeid), None)
    if backend is None:
        return
    if report.when == "call" and report.passed:
        _ran[backend] += 1
    if report.skipped and backend == "postgresql":
        _skipped_postgres.append(report.nodeid)


def pytest_terminal_summary(terminalreporter):
    terminalreporter.write_sep("-", "storage backends")
    for backend in BACKENDS:
        terminalreporter.write_line(f"tests passed on {backend}: {_ran[backend]}")
    if _skipped_postgres:
        terminalreporter.write_line(f"PostgreSQL tests SKIPPED: {len(_skipped_postgres)}")


def pytest_sessionfinish(session, exitstatus):
    in_ci = os.environ.get("CI", "").lower() in ("1", "true", "yes")
    if in_ci and (_skipped_postgres or (_ran["sqlite"] and not _ran["postgresql"])):
        session.exitstatus = 1
