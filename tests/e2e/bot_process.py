"""`cme-bot serve --dev` as a real process on a free port, with the demonstration data loaded."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.e2e.patience import PATIENCE_S
from tests.e2e.playground import free_port

ROOT = Path(__file__).resolve().parents[2]


class BotProcess:
    def __init__(self, workdir: Path, *, database_url: str | None = None, env: dict | None = None) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.endpoint = f"{self.url}/api/messages"
        self.log_path = workdir / f"bot-{self.port}.log"
        self.env = dict(os.environ, CME_ENV="development", PYTHONUNBUFFERED="1",
                        DATABASE_URL=database_url or f"sqlite:///{workdir / 'cme-bot.db'}", **(env or {}))
        self.proc: subprocess.Popen | None = None

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """Run another `cme-bot` command against the same database."""
        done = subprocess.run([sys.executable, "-m", "bot.ops.cli", *args], cwd=ROOT, env=self.env,
                              capture_output=True, text=True, timeout=120)
        if check and done.returncode != 0:
            raise AssertionError(f"cme-bot {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
        return done

    async def start(self, *, demo: bool = True) -> BotProcess:
        """`demo=False` when the database is set up already (another instance on it loaded the data)."""
        if demo:
            await asyncio.to_thread(self.cli, "demo", "load")
        log = open(self.log_path, "ab")  # noqa: SIM115 - kept open for the life of the process
        self.proc = subprocess.Popen([sys.executable, "-m", "bot.ops.cli", "serve", "--dev", "--port", str(self.port),
                                      "--host", "127.0.0.1"], cwd=ROOT, env=self.env, stdout=log,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        await asyncio.to_thread(self._wait_ready)
        return self

    def _wait_ready(self, timeout: float = PATIENCE_S) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"cme-bot exited {self.proc.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"cme-bot not healthy after {timeout}s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    async def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                await asyncio.to_thread(self.proc.wait, 10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
