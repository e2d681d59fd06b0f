"""The bot in production mode (an app id and password), against a local identity provider and Bot Connector."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.app import build_services, create_app
from bot.config import Settings
from bot.ops.demo import load_demo
from storage.models import Base
from tests.auth.provider import IdentityProvider
from tests.scenario.connector import Connector
from tests.scenario.teams import Teams

APP_ID = "00000000-0000-4000-8000-00000000cb07"  # the bot's app id (fictional)
PASSWORD = "not-a-real-secret"
TODAY = date(2026, 11, 16)


class Bot(Teams):
    """Teams, as the scenario tests know it, plus the settings the bot was started with."""

    def __init__(self, client: TestClient, service_url: str, settings: Settings) -> None:
        super().__init__(client, service_url)
        self.settings = settings


@pytest.fixture(scope="session")
def provider(tmp_path_factory):
    provider = IdentityProvider(tmp_path_factory.mktemp("identity-provider"))
    yield provider
    provider.close()


@pytest.fixture(autouse=True)
def trust_provider(provider, monkeypatch):
    """botbuilder and msal fetch from the provider with `requests`: trust its certificate, use no proxy."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", provider.ca_file)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    provider.token_requests.clear()


@pytest.fixture
async def connector():
    """The scenario tests' Bot Connector, also keeping the Authorization header of each call."""
    connector = Connector()
    connector.authorizations = []
    app = connector.app()

    @web.middleware
    async def keep_authorization(request: web.Request, handler):
        connector.authorizations.append(request.headers.get("Authorization"))
        return await handler(request)

    app.middlewares.append(keep_authorization)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    connector.url = str(server.make_url("/")).rstrip("/") + "/"
    yield connector
    await server.close()


@pytest.fixture
async def start_bot(database_url, store, provider, connector) -> Callable[..., Awaitable[Bot]]:
    """Starts the real app in production mode; keyword arguments override the settings."""
    await load_demo(store)
    clients: list[TestClient] = []

    async def start(**overrides) -> Bot:
        values = dict(app_id=APP_ID, app_password=PASSWORD, database_url=database_url, environment="production",
                      today=TODAY, scheduler=False,
                      to_bot_from_channel_openid_metadata_url=provider.metadata_url(),
                      to_channel_from_bot_login_url=provider.login_url)
        settings = Settings(**{**values, **overrides})
        assert settings.credentials_problem() is None and not settings.development
        client = TestClient(TestServer(create_app(settings, build_services(settings, store), migrate=False),
                                       host="127.0.0.1"))
        await client.start_server()
        clients.append(client)
        return Bot(client, connector.url, settings)

    yield start
    for client in clients:
        await client.close()


async def snapshot(store) -> dict[str, list[str]]:
    """Every row of every table: compared before and after, it shows a request changed nothing."""
    rows: dict[str, list[str]] = {}
    async with store.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            rows[table.name] = sorted(repr(tuple(row)) for row in (await connection.execute(select(table))).all())
    return rows
