"""Fresh, migrated databases for tests: a copied SQLite file, or a PostgreSQL database from a template."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from storage.engine.db import create_engine
from storage.migrate import upgrade

ADMIN_URL = os.environ.get("CME_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
BACKENDS = ("sqlite", "postgresql")


def postgres_required() -> bool:
    """In CI the PostgreSQL tests must run; elsewhere CME_TEST_POSTGRES=skip leaves them out."""
    return os.environ.get("CI", "").lower() in ("1", "true", "yes") or os.environ.get("CME_TEST_POSTGRES") != "skip"


async def _migrate(url: str) -> None:
    engine = create_engine(url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


class SqliteDatabases:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.template: Path | None = None

    async def new(self) -> str:
        if self.template is None:
            self.template = self.directory / "template.db"
            await _migrate(f"sqlite:///{self.template}")
        path = self.directory / f"{uuid.uuid4().hex}.db"
        shutil.copyfile(self.template, path)
        return f"sqlite:///{path}"

    async def drop_all(self) -> None:
        return None


class PostgresDatabases:
    def __init__(self) -> None:
        self.prefix = f"cme_test_{os.getpid()}"
        self.template: str | None = None
        self.created: list[str] = []
        self._lock = asyncio.Lock()

    def url(self, name: str) -> str:
        return make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)

    async def _admin(self) -> asyncpg.Connection:
        url = make_url(ADMIN_URL)
        return await asyncpg.connect(host=url.host, port=url.port or 5432, user=url.username,
                                     password=url.password, database=url.database, timeout=10)

    async def new(self) -> str:
        async with self._lock:
            admin = await self._admin()
            try:
                if self.template is None:
                    self.template = f"{self.prefix}_template"
                    await admin.execute(f'DROP DATABASE IF EXISTS "{self.template}"')
                    await admin.execute(f'CREATE DATABASE "{self.template}"')
                    self.created.append(self.template)
                    await _migrate(self.url(self.template))
                name = f"{self.prefix}_{uuid.uuid4().hex[:10]}"
                await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
                self.created.append(name)
                return self.url(name)
            finally:
                await admin.close()

    async def drop(self, url: str) -> None:
        name = make_url(url).database
        admin = await self._admin()
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()
        if name in self.created:
            self.created.remove(name)

    async def drop_all(self) -> None:
        if not self.created:
            return
        admin = await self._admin()
        try:
            for name in reversed(self.created):
                await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()
        self.created.clear()
