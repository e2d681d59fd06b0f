from __future__ import annotations

from datetime import date

import pytest
from aiohttp.test_utils import TestClient, TestServer
from pydantic import BaseModel

from bot.app import build_services, create_app
from bot.config import DEVELOPMENT, Settings
from bot.ops.demo import load_demo
from cards import base
from tests.scenario.teams import Teams

# A Monday in term: 16 November 2026 at Oakwood Primary School (fictional).
TODAY = date(2026, 11, 16)


@pytest.fixture(autouse=True)
def cards_as_pydantic_dumps_them(monkeypatch):
    """Every card these tests send: cards.base.as_json gives what pydantic's model_dump gives."""
    walked = base.as_json

    def checked(value):
        built = walked(value)
        if isinstance(value, BaseModel):
            assert built == value.model_dump(mode="json", exclude_none=True, by_alias=True, warnings=False)
        return built

    monkeypatch.setattr(base, "as_json", checked)


@pytest.fixture
def settings(database_url):
    return Settings(database_url=database_url, environment=DEVELOPMENT, today=TODAY, scheduler=False)


@pytest.fixture
async def services(settings, store):
    await load_demo(store)
    return build_services(settings, store)


@pytest.fixture
async def teams(settings, services, connector):
    app = create_app(settings, services, migrate=False)
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    yield Teams(client, connector.url)
    await client.close()
