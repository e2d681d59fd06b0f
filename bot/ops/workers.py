"""`cme-bot serve --workers N`: N processes answering on one port, for PostgreSQL deployments.

Each worker has its own event loop, connection pool and Bot Connector clients, and binds the port
with SO_REUSEPORT, so the kernel spreads Teams' connections across them. The parent has migrated the
database already; only the first worker runs the daily job's scheduler. If a worker dies, the others
are stopped and the parent exits with its status, for the service manager to restart them all.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from dataclasses import replace

from bot.config import Settings


def run_workers(settings: Settings, workers: int, serve_one: Callable[[Settings], int]) -> int:
    children: list[int] = []
    for index in range(workers):
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            worker = replace(settings, scheduler=settings.scheduler and index == 0,
                             instance=f"{os.uname().nodename}:{os.getpid()}")
            status = 1
            try:
                status = serve_one(worker)
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(status)
        children.append(pid)

    def stop(_signal: int, _frame) -> None:
        for child in children:
            try:
                os.kill(child, signal.SIGTERM)
            except ProcessLookupError:
                pass

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    status = 0
    while children:
        pid, code = os.wait()
        if pid in children:
            children.remove(pid)
            exit_status = os.waitstatus_to_exitcode(code)
            if exit_status not in (0, -signal.SIGTERM) and status == 0:
                status = exit_status if exit_status > 0 else 1
                print(f"cme-bot: worker {pid} stopped ({exit_status}); stopping the others", file=sys.stderr)
                stop(signal.SIGTERM, None)
    return status
