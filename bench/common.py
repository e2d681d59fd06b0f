"""What the benchmarks share: databases, server processes, Teams-shaped activities, a closed-loop load."""

from __future__ import annotations

import asyncio
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import aiohttp
import asyncpg
from sqlalchemy.engine import make_url

from fakes.teams import User

ROOT = Path(__file__).resolve().parents[1]
POSTGRES_ADMIN_URL = os.environ.get("CME_BENCH_POSTGRES_URL",
                                    os.environ.get("CME_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"))
# A Monday in term (the example term dates): every benchmark runs on this school day.
TODAY = date(2026, 11, 16)


def machine() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.0f} GB"
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "memory": memory, "python": platform.python_version(),
            "os": f"{platform.system()} {platform.release()}"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cme_bot_command() -> list[str]:
    """`cme-bot` as installed next to this Python, or the module if the script is missing."""
    script = Path(sys.executable).with_name("cme-bot")
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot.ops.cli"]


# Databases


class Databases:
    """Fresh databases for one benchmark run: SQLite files in a temporary directory, PostgreSQL by name."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.prefix = f"cme_bench_{os.getpid()}"
        self.postgres: list[str] = []

    def sqlite(self, name: str) -> str:
        path = self.workdir / f"{name}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"

    async def _admin(self) -> asyncpg.Connection:
        url = make_url(POSTGRES_ADMIN_URL)
        return await asyncpg.connect(host=url.host, port=url.port or 5432, user=url.username, password=url.password,
                                     database=url.database, timeout=10)

    async def postgres_available(self) -> str | None:
        """None when PostgreSQL answers, else why not."""
        try:
            admin = await self._admin()
        except (OSError, asyncpg.PostgresError) as error:
            return f"{type(error).__name__}: {error}"
        await admin.close()
        return None

    async def postgresql(self, name: str) -> str:
        database = f"{self.prefix}_{name}"
        admin = await self._admin()
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            await admin.execute(f'CREATE DATABASE "{database}"')
        finally:
            await admin.close()
        self.postgres.append(database)
        return make_url(POSTGRES_ADMIN_URL).set(database=database).render_as_string(hide_password=False)

    async def drop(self, url: str) -> None:
        parsed = make_url(url)
        if parsed.get_backend_name() != "postgresql":
            return
        admin = await self._admin()
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')
            # What the dropped database left to write goes to disk now, not during the next measurement.
            await admin.execute("CHECKPOINT")
        finally:
            await admin.close()
        if parsed.database in self.postgres:
            self.postgres.remove(parsed.database)

    async def drop_all(self) -> None:
        for database in list(self.postgres):
            await self.drop(make_url(POSTGRES_ADMIN_URL).set(database=database).render_as_string(hide_password=False))
        shutil.rmtree(self.workdir, ignore_errors=True)


# Server processes


class Server:
    """A bot in its own process, on its own port, with its output in a log file."""

    def __init__(self, command: list[str], port: int, log: Path, env: dict | None = None) -> None:
        self.command, self.port, self.log_path = command, port, log
        self.env = {**os.environ, **(env or {})}
        self.process: subprocess.Popen | None = None
        self.url = f"http://127.0.0.1:{port}"
        self.started_in = 0.0

    async def start(self, ready_path: str | None = "/healthz", timeout: float = 60.0) -> float:
        """Start it and wait until it answers; how long that took, in seconds."""
        begun = time.perf_counter()
        self.process = await asyncio.to_thread(self._spawn)
        deadline = begun + timeout
        async with aiohttp.ClientSession() as session:
            while True:
                if self.process.poll() is not None:
                    raise RuntimeError(f"{' '.join(self.command)} exited with {self.process.returncode}; "
                                       f"see {self.log_path}")
                try:
                    if ready_path:
                        async with session.get(self.url + ready_path) as response:
                            if response.status == 200:
                                break
                    else:
                        _, writer = await asyncio.open_connection("127.0.0.1", self.port)
                        writer.close()
                        break
                except (aiohttp.ClientError, OSError):
                    pass
                if time.perf_counter() > deadline:
                    raise RuntimeError(f"{' '.join(self.command)} did not answer in {timeout:.0f} s")
                await asyncio.sleep(0.01)
        self.started_in = time.perf_counter() - begun
        return self.started_in

    def _spawn(self) -> subprocess.Popen:
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        return subprocess.Popen(self.command, env=self.env, stdout=self._log, stderr=subprocess.STDOUT, cwd=ROOT)

    def rss_mb(self) -> float:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def cpu_seconds(self) -> float:
        """CPU time (user + system) of the process and of its live children (`serve --workers`)."""
        ticks = os.sysconf("SC_CLK_TCK")
        pids = [self.process.pid]
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        if children.exists():
            pids += [int(pid) for pid in children.read_text().split()]
        total = 0
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])
        return total / ticks

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if getattr(self, "_log", None):
            self._log.close()


# Teams-shaped activities


def bench_user(group: str, n: int) -> User:
    return User(f"00000000-0000-4000-8000-{group[:4].encode().hex()}{n:04d}", f"{group.title()} User{n}",
                f"29:{group}-user-{n}")


# A closed-loop load: each user sends, waits for the answer, and sends again


@dataclass
class LoadResult:
    messages: int = 0
    total_ok: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    server_cpu: float = 0.0

    @property
    def per_second(self) -> float:
        return self.messages / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))] * 1000

    @property
    def cpu_ms_per_message(self) -> float:
        """The server process's CPU time per message handled (user + system)."""
        return 1000 * self.server_cpu / self.messages if self.messages else float("nan")

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies) * 1000 if self.latencies else float("nan")

    @property
    def p99(self) -> float:
        return self.percentile(99)


async def closed_loop(url: str, users: list[User], make: Callable[[User, int], dict], *, seconds: float,
                      warmup: float, server: Server | None = None) -> LoadResult:
    """`len(users)` users each sending one message after the other for `warmup` + `seconds`."""
    result = LoadResult()
    measuring = asyncio.Event()
    stop = asyncio.Event()
    headers = {"Content-Type": "application/json"}
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def user_loop(user: User) -> None:
            sequence = 0
            while not stop.is_set():
                body = json.dumps(make(user, sequence))
                sequence += 1
                begun = time.perf_counter()
                try:
                    async with session.post(url, data=body, headers=headers) as response:
                        await response.read()
                        status = response.status
                except aiohttp.ClientError:
                    status = 0
                took = time.perf_counter() - begun
                if status in (200, 201, 202):
                    result.total_ok += 1
                if measuring.is_set() and not stop.is_set():
                    result.statuses[status] = result.statuses.get(status, 0) + 1
                    if status in (200, 201, 202):
                        result.messages += 1
                        result.latencies.append(took)
                    else:
                        result.errors += 1

        tasks = [asyncio.create_task(user_loop(user)) for user in users]
        await asyncio.sleep(warmup)
        cpu_before = server.cpu_seconds() if server else 0.0
        measuring.set()
        begun = time.perf_counter()
        await asyncio.sleep(seconds)
        stop.set()
        result.seconds = time.perf_counter() - begun
        if server:
            result.server_cpu = server.cpu_seconds() - cpu_before
        await asyncio.gather(*tasks)
    return result
