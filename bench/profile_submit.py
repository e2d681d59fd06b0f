"""CPU of one report submit creating a case, on SQLite, in process: no server, no load, no other process.

The HTTP benchmark (bench/messages.py) judges the whole server against the echo sample under load, which a
shared machine makes noisy. This builds the app in this process (bot.app.create_app behind aiohttp's test
server, replies to bench.connector's stub connector, also in this process), prepares the same data as
bench/messages.py (500 open cases at another school) and presses "Submit report" N times, each creating a
case, timing time.process_time() around each: the bot's, the stub's and the client's CPU together, all in
one thread. Then the same again under cProfile, whose top entries by cumulative time it prints.

It uses only what bench/messages.py offered this morning (prepare, submit_value), so the same file can be
run in an older checkout to compare: `PYTHONPATH=/tmp/old python -m bench.profile_submit` from /tmp/old.

    python -m bench.profile_submit [-n 500] [--profile 25] [--sort cumulative] [--dump FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import statistics
import tempfile
import time
import uuid
from pathlib import Path


async def run(n: int, profile_top: int, sort: str, dump: str | None = None) -> dict:
    from aiohttp.test_utils import TestClient, TestServer

    from bench.common import TODAY
    from bench.connector import StubConnector
    from bench.messages import prepare, submit_value
    from bot.app import build_services, create_app
    from bot.config import DEVELOPMENT, Settings
    from fakes.teams import activity
    from storage.store import Store

    with tempfile.TemporaryDirectory(prefix="profile-submit-") as workdir:
        url = f"sqlite:///{Path(workdir) / 'bench.db'}"
        data = await prepare(url)
        users = data["users"]["report"]
        value = submit_value(data["report_school_id"])
        stub = StubConnector()
        await stub.start()
        settings = Settings(database_url=url, environment=DEVELOPMENT, today=TODAY, scheduler=False)
        store = Store.from_url(url)
        client = TestClient(TestServer(create_app(settings, build_services(settings, store), migrate=False),
                                       host="127.0.0.1"))
        await client.start_server()
        try:
            async def submit(k: int) -> None:
                user = users[k % len(users)]
                sent = activity(stub.url, user, value={**value, "form": uuid.uuid4().hex},
                                replyToId=f"form-card-{user.teams_id}")
                response = await client.post("/api/messages", json=sent)
                await response.read()
                assert response.status in (200, 201), response.status

            for k in range(20):  # warm up: imports, caches, the statements' first compilation
                await submit(k)
            cpu = []
            for k in range(n):
                began = time.process_time()
                await submit(k)
                cpu.append(time.process_time() - began)
            profiler = cProfile.Profile()
            profiler.enable()
            for k in range(n):
                await submit(k)
            profiler.disable()
            created = await store.cases.count_open([data["report_school_id"]])
        finally:
            await client.close()
            await store.close()
            await stub.stop()
    if dump:
        profiler.dump_stats(dump)
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats(sort).print_stats(profile_top)
    return {"median_ms": statistics.median(cpu) * 1000, "mean_ms": statistics.fmean(cpu) * 1000,
            "p90_ms": sorted(cpu)[int(len(cpu) * 0.9)] * 1000, "cases": created, "replies": stub.requests,
            "profile": text.getvalue()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=500, help="submits timed (and as many again profiled)")
    parser.add_argument("--profile", type=int, default=25, help="how many profile entries to print (0: none)")
    parser.add_argument("--sort", default="cumulative", help="pstats sort key")
    parser.add_argument("--dump", help="also write the profile to this file (pstats, snakeviz)")
    args = parser.parse_args()
    result = asyncio.run(run(args.n, args.profile, args.sort, args.dump))
    print(f"report submit creating a case, SQLite, in process: median {result['median_ms']:.2f} ms CPU, "
          f"mean {result['mean_ms']:.2f}, p90 {result['p90_ms']:.2f} ({args.n} timed; {result['cases']} cases "
          f"open at the school, {result['replies']} connector requests)")
    if args.profile:
        print(result["profile"])


if __name__ == "__main__":
    main()
