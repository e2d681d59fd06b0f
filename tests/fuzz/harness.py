"""The bot running in development mode with a local Bot Connector, a few real cases, and its log captured."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer

from bot.app import build_services, create_app
from bot.config import DEVELOPMENT, Settings
from bot.ops.demo import load_demo
from storage.migrate import upgrade
from storage.store import Store
from tests.fuzz.activities import SENTINEL, Known
from tests.scenario.connector import Connector
from tests.scenario.teams import SAM, Teams
from tests.scenario.test_report import PUPIL, report

TODAY = date(2026, 11, 16)


class Captured(logging.Handler):
    """Every log record, from every logger."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def traceback_in(record: logging.LogRecord) -> bool:
    message = record.getMessage()
    return bool(record.exc_info or record.exc_text or record.stack_info) or "Traceback" in message \
        or 'File "' in message


@dataclass
class Outcome:
    status: int
    tracebacks: list[logging.LogRecord] = field(default_factory=list)
    leaked: list[logging.LogRecord] = field(default_factory=list)  # records quoting a typed value
    unreadable: list[str] = field(default_factory=list)  # where a handler failed to read the data, refused

    @property
    def failed(self) -> bool:
        return self.status >= 500 or bool(self.tracebacks) or bool(self.leaked)

    def why(self) -> str:
        lines = [f"HTTP {self.status}"]
        for record in self.tracebacks + self.leaked:
            lines.append(f"{record.levelname} {record.name}: {record.getMessage()[:4000]}")
            if record.exc_info:
                lines.append(logging.Formatter().formatException(record.exc_info)[-1500:])
        return "\n".join(lines)


class RunningBot:
    """`async with RunningBot(directory) as bot: await bot.post(body)`."""

    def __init__(self, directory: Path, database_url: str | None = None) -> None:
        self.directory = directory
        self.database_url = database_url or f"sqlite:///{directory / 'fuzz.db'}"
        self.captured = Captured()
        self.known = Known()

    async def __aenter__(self) -> RunningBot:
        self.store = Store.from_url(self.database_url)
        await upgrade(self.store.engine)
        await load_demo(self.store)
        settings = Settings(database_url=self.database_url, environment=DEVELOPMENT, today=TODAY, scheduler=False)
        self.connector = Connector()
        self._connector_server = TestServer(self.connector.app(), host="127.0.0.1")
        await self._connector_server.start_server()
        self.connector.url = str(self._connector_server.make_url("/")).rstrip("/") + "/"
        app = create_app(settings, build_services(settings, self.store), migrate=False)
        self.client = TestClient(TestServer(app, host="127.0.0.1"))
        await self.client.start_server()
        teams = Teams(self.client, self.connector.url)
        for surname in ("Example", "Sample"):
            await report(teams, self.connector, SAM, {**PUPIL, "surname": surname})
        self.known = Known(cases=tuple(sorted(await self._references())))
        root = logging.getLogger()
        self._level = root.level
        root.setLevel(logging.INFO)
        root.addHandler(self.captured)
        return self

    async def _references(self) -> list[str]:
        found = []
        for sent in self.connector.sent:
            for card in sent.cards:
                text = json.dumps(card)
                start = text.find("CME-2026-")
                if start >= 0:
                    found.append(text[start:start + 13])
        return sorted(set(found))

    async def __aexit__(self, *exc) -> None:
        root = logging.getLogger()
        root.removeHandler(self.captured)
        root.setLevel(self._level)
        await self.client.close()
        await self._connector_server.close()
        await self.store.close()

    async def half_written(self) -> list[str]:
        """Cases that are not whole: unreadable, or whose history does not begin with their report."""
        problems, case_id, missing = [], 0, 0
        while missing < 20:
            case_id += 1
            try:
                case = await self.store.cases.by_id(case_id)
                history = await self.store.cases.history(case_id) if case else []
            except Exception as error:  # noqa: BLE001 - whatever cannot be read is the finding
                problems.append(f"case {case_id}: {type(error).__name__}")
                continue
            if case is None:
                missing += 1
            elif not history or history[0].kind != "reported":
                problems.append(f"{case.reference}: history begins {history[0].kind if history else 'nowhere'}")
        return problems

    async def post(self, body: dict | bytes) -> Outcome:
        if isinstance(body, dict):
            if body.get("serviceUrl") == "{service_url}":
                body = {**body, "serviceUrl": self.connector.url}
            data = json.dumps(body).encode()
        else:
            data = body
        before = len(self.captured.records)
        async with self.client.post("/api/messages", data=data,
                                    headers={"Content-Type": "application/json"}) as response:
            await response.read()
            status = response.status
        new = self.captured.records[before:]
        return Outcome(status, [r for r in new if traceback_in(r)],
                       [r for r in new if SENTINEL in r.getMessage() or SENTINEL in (r.exc_text or "")],
                       [r.getMessage().rsplit(": ", 1)[-1] for r in new if "could not be read" in r.getMessage()])
