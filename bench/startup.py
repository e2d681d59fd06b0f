"""Benchmark 4: how long `cme-bot serve` takes to answer /healthz, and its memory once idle.

Measured from the exec of the real command (development mode, scheduler on as in production) until
/healthz answers 200: first on an empty database (the migrations run), then again on the migrated
database. Idle memory is the server's resident set a few seconds after it answered.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from bench.common import Databases, Server, cme_bot_command, free_port


@dataclass
class Startup:
    backend: str
    first_seconds: float
    restart_seconds: float
    idle_rss_mb: float


async def _start(url: str, log: Path, settle: float) -> tuple[float, float]:
    port = free_port()
    env = {"DATABASE_URL": url, "CME_ENV": "development"}
    server = Server([*cme_bot_command(), "serve", "--dev", "--host", "127.0.0.1", "--port", str(port)], port, log, env)
    try:
        seconds = await server.start()
        await asyncio.sleep(settle)
        return seconds, server.rss_mb()
    finally:
        server.stop()


async def _measure(backend: str, url: str, workdir: Path, settle: float) -> Startup:
    first, _ = await _start(url, workdir / f"startup-{backend}.log", 0.0)
    restart, rss = await _start(url, workdir / f"startup-{backend}.log", settle)
    return Startup(backend, first, restart, rss)


async def run(databases: Databases, workdir: Path, *, postgres: bool, settle: float = 3.0) -> list[Startup]:
    out = [await _measure("SQLite", databases.sqlite("startup"), workdir, settle)]
    if postgres:
        url = await databases.postgresql("startup")
        try:
            out.append(await _measure("PostgreSQL", url, workdir, settle))
        finally:
            await databases.drop(url)
    return out
