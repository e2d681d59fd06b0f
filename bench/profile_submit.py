"""CPU of one report submit creating a case (or one `help`), in process: no server, no load, no other process.

The HTTP benchmark (bench/messages.py) judges the whole server against the echo sample under load, which a
shared machine makes noisy. This builds the app in this process (bot.app.create_app behind aiohttp's test
server, replies to bench.connector's stub connector, also in this process), prepares the same data as
bench/messages.py (500 open cases at another school) and presses "Submit report" N times, each creating a
case (or says `help` N times), timing time.process_time() around each: the bot's, the stub's and the client's
CPU together, all in one thread (on PostgreSQL the server's CPU is not counted). Then the same again under
cProfile, whose top entries by cumulative time it prints, and the Python function calls a request made under
it (which the machine's load does not move, unlike CPU time on a shared machine). With --statements it also counts, over a few
requests, the statements sent to the database and the transactions they made (see `StatementLog`).

It uses only what bench/messages.py offered at 9fb0b7b (prepare, submit_value), so the same file can be
run in an older checkout to compare: `PYTHONPATH=/tmp/old python -m bench.profile_submit` from /tmp/old.

    python -m bench.profile_submit [--postgres] [--help-command] [-n 500] [--profile 25] [--sort cumulative]
                                   [--dump FILE] [--statements 10] [--show-statements]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import resource
import statistics
import tempfile
import time
import uuid
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

SUBMIT, HELP = "report submit creating a case", "help"


class StatementLog:
    """The statements a database driver is sent, and the transactions they make, while `recording`.

    PostgreSQL: asyncpg's calls are wrapped (a statement executed: execute, fetch..., a prepared statement's
    fetch, an executemany with its rows; a PREPARE, an extra round trip, counted apart). A statement outside
    BEGIN ... COMMIT/ROLLBACK is a transaction of its own (autocommit). SQLite: sqlite3's trace callback.
    """

    def __init__(self) -> None:
        self.statements: list[str] = []
        self.prepares = 0
        self.transactions = 0
        self.recording = False
        self._open: set[int] = set()

    def sent(self, connection: object, sql: str) -> None:
        if not self.recording or sql.startswith("--"):  # SQLite's trace names each trigger run, in a comment
            return
        words = sql.lstrip().split(None, 1)
        first = words[0].rstrip(";").upper() if words else ""
        self.statements.append(" ".join(sql.split())[:160])
        if first in ("BEGIN", "START"):
            self._open.add(id(connection))
            self.transactions += 1
        elif first in ("COMMIT", "ROLLBACK", "END"):
            self._open.discard(id(connection))
        elif id(connection) not in self._open:
            self.transactions += 1

    @contextmanager
    def asyncpg(self):
        from asyncpg.connection import Connection
        from asyncpg.prepared_stmt import PreparedStatement

        log, saved = self, []

        def wrap(cls, name, prepared):
            original = getattr(cls, name)
            saved.append((cls, name, original))

            async def traced(self, *args, **kwargs):
                if name == "prepare":
                    log.prepares += log.recording
                elif prepared:
                    log.sent(self._connection, self.get_query())
                else:
                    log.sent(self, args[0])
                return await original(self, *args, **kwargs)
            setattr(cls, name, traced)

        for name in ("execute", "executemany", "fetch", "fetchrow", "fetchval", "prepare"):
            wrap(Connection, name, prepared=False)
        for name in ("fetch", "fetchrow", "fetchval", "executemany"):
            wrap(PreparedStatement, name, prepared=True)
        try:
            yield self
        finally:
            for cls, name, original in saved:
                setattr(cls, name, original)

    def sqlite(self, engine) -> None:
        from sqlalchemy import event

        @event.listens_for(engine.sync_engine, "connect")
        def _trace(dbapi_connection, _record) -> None:
            raw, last = dbapi_connection._connection._conn, [None]

            def traced(sql: str) -> None:
                if sql != last[0]:  # the trace names a statement again for each trigger it runs
                    self.sent(raw, sql)
                last[0] = sql
            raw.set_trace_callback(traced)


async def run(n: int, profile_top: int, sort: str, dump: str | None = None, *, postgres: bool = False,
              workload: str = SUBMIT, statements: int = 0) -> dict:
    from aiohttp.test_utils import TestClient, TestServer

    from bench.common import TODAY, Databases
    from bench.connector import StubConnector
    from bench.messages import prepare, submit_value
    from bot.app import build_services, create_app
    from bot.config import DEVELOPMENT, Settings
    from fakes.teams import activity
    from storage.store import Store

    with tempfile.TemporaryDirectory(prefix="profile-submit-") as workdir:
        databases = Databases(Path(workdir))
        url = await databases.postgresql("profile") if postgres else f"sqlite:///{Path(workdir) / 'bench.db'}"
        log = StatementLog()
        try:
            data = await prepare(url)
            users = data["users"]["report" if workload == SUBMIT else "help"]
            value = submit_value(data["report_school_id"])
            stub = StubConnector()
            await stub.start()
            settings = Settings(database_url=url, environment=DEVELOPMENT, today=TODAY, scheduler=False)
            store = Store.from_url(url)
            if not postgres:
                log.sqlite(store.engine)
            client = TestClient(TestServer(create_app(settings, build_services(settings, store), migrate=False),
                                           host="127.0.0.1"))
            await client.start_server()
            try:
                async def send(k: int) -> None:
                    user = users[k % len(users)]
                    if workload == SUBMIT:
                        sent = activity(stub.url, user, value={**value, "form": uuid.uuid4().hex},
                                        replyToId=f"form-card-{user.teams_id}")
                    else:
                        sent = activity(stub.url, user, text="help")
                    response = await client.post("/api/messages", json=sent)
                    await response.read()
                    assert response.status in (200, 201), response.status

                for k in range(20):  # warm up: imports, caches, the statements' first compilation
                    await send(k)
                with log.asyncpg() if postgres else _nothing():
                    if statements:
                        log.recording = True
                        for k in range(statements):
                            await send(k)
                        log.recording = False
                    cpu, user_began = [], _user_cpu()
                    for k in range(n):
                        began = time.process_time()
                        await send(k)
                        cpu.append(time.process_time() - began)
                    user_cpu = (_user_cpu() - user_began) / n
                profiler = cProfile.Profile()
                profiler.enable()
                for k in range(n):
                    await send(k)
                profiler.disable()
                created = await store.cases.count_open([data["report_school_id"]])
            finally:
                await client.close()
                await store.close()
                await stub.stop()
        finally:
            await databases.drop_all()
    if dump:
        profiler.dump_stats(dump)
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats(sort).print_stats(profile_top)
    return {"median_ms": statistics.median(cpu) * 1000, "mean_ms": statistics.fmean(cpu) * 1000,
            "p90_ms": sorted(cpu)[int(len(cpu) * 0.9)] * 1000, "user_ms": user_cpu * 1000,
            "calls": stats.total_calls / n,
            "cases": created, "replies": stub.requests,
            "profile": text.getvalue(), "log": log}


def _user_cpu() -> float:
    """This process's CPU in user mode (sampled by the kernel: precise over many requests, not one): without the kernel's, which on loopback includes delivering what is sent
    to the other end (the database server, the stub), and grows with the machine's load."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_utime


@contextmanager
def _nothing():
    yield


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], add_help=False)
    parser.add_argument("-h", action="help", help="show this help and exit")
    parser.add_argument("-n", type=int, default=500, help="requests timed (and as many again profiled)")
    parser.add_argument("--postgres", action="store_true", help="on a fresh PostgreSQL database (bench.common)")
    parser.add_argument("--help-command", action="store_true", help="say `help` instead of submitting a report")
    parser.add_argument("--profile", type=int, default=25, help="how many profile entries to print (0: none)")
    parser.add_argument("--sort", default="cumulative", help="pstats sort key")
    parser.add_argument("--dump", help="also write the profile to this file (pstats, snakeviz)")
    parser.add_argument("--statements", type=int, default=0,
                        help="count the statements and transactions of this many requests (before the timed ones)")
    parser.add_argument("--show-statements", action="store_true", help="and print them, most frequent first")
    args = parser.parse_args()
    workload = HELP if args.help_command else SUBMIT
    result = asyncio.run(run(args.n, args.profile, args.sort, args.dump, postgres=args.postgres, workload=workload,
                             statements=args.statements))
    backend = "PostgreSQL" if args.postgres else "SQLite"
    print(f"{workload}, {backend}, in process: median {result['median_ms']:.2f} ms CPU, "
          f"mean {result['mean_ms']:.2f}, p90 {result['p90_ms']:.2f}; user mode mean {result['user_ms']:.2f}; "
          f"{result['calls']:.0f} Python function calls ({args.n} timed; {result['cases']} cases "
          f"open at the school, {result['replies']} connector requests)")
    if args.statements:
        log = result["log"]
        print(f"per request: {len(log.statements) / args.statements:.2f} statements (BEGIN and COMMIT included), "
              f"{log.transactions / args.statements:.2f} transactions, {log.prepares / args.statements:.2f} "
              f"PREPAREs (over {args.statements} requests)")
        if args.show_statements:
            for sql, count in Counter(log.statements).most_common():
                print(f"  {count / args.statements:5.2f}  {sql}")
    if args.profile:
        print(result["profile"])


if __name__ == "__main__":
    main()
