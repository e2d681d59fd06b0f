"""`cme-bot serve --workers 2` on PostgreSQL: two processes answer on one port, and stop together."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time

import aiohttp
import pytest

from tests.e2e.bot_process import ROOT, BotProcess
from tests.e2e.patience import PATIENCE_S
from tests.scenario.connector import card_text
from tests.scenario.teams import EWAN, RIYA, SAM, Teams


async def _workers_seen(url: str, want: int) -> set[int]:
    """Ask until `want` workers have answered: the first may be up before the second listens on a loaded machine."""
    seen: set[int] = set()
    deadline = time.monotonic() + PATIENCE_S
    while len(seen) < want and time.monotonic() < deadline:
        # a new connection each time: the kernel picks a worker for each
        async with aiohttp.ClientSession() as session, session.get(url + "/healthz") as response:
            assert response.status == 200
            seen.add(json.loads(await response.text())["worker"])
    return seen


async def test_two_workers_answer_on_one_port_and_stop_together(tmp_path, shared_database, connector):
    bot = BotProcess(tmp_path, database_url=shared_database, env={"CME_WORKERS": "2", "CME_SCHEDULER": "off"})
    await bot.start()
    try:
        workers = await _workers_seen(bot.url, want=2)
        assert len(workers) == 2 and bot.proc.pid not in workers
        async with aiohttp.ClientSession(bot.url) as session:
            teams = Teams(session, connector.url)
            for user in (SAM, RIYA, EWAN) * 4:
                await teams.say(user, "help")
        for user in (SAM, RIYA, EWAN):
            replies = [s for s in connector.to(user.personal_chat) if s.method == "POST"]
            assert len(replies) == 4 and "**help**" in card_text(replies[0].card)
    finally:
        bot.proc.send_signal(signal.SIGTERM)
        assert await asyncio.to_thread(bot.proc.wait, 15) == 0, bot.log_tail()
    for pid in workers:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_more_than_one_worker_is_refused_on_sqlite(tmp_path):
    done = subprocess.run([sys.executable, "-m", "bot.ops.cli", "serve", "--dev", "--workers", "2"], cwd=ROOT,
                          env=dict(os.environ, DATABASE_URL=f"sqlite:///{tmp_path / 'one.db'}"),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "--workers above 1 needs PostgreSQL" in done.stderr
