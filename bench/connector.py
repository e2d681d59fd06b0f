"""A local Bot Connector for the benchmarks: answers as Teams does, counts, and can enforce Teams' limits.

With `limits=True` it refuses, with 429 and a Retry-After, any request that would exceed the
documented Teams limits, judged on arrival time: per conversation (a channel and its threads count
as one) 7 in 1 s, 8 in 2 s, 60 in 30 s, 1800 in an hour; and 50 requests a second for the app.
With `failing` set to a status (POST /fail?status=503 to the process) it answers every call with it, as a Bot
Connector that cannot be reached; POST /fail with no status and it answers again.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict, deque

from aiohttp import web

from fakes.connector import BotConnector

CONVERSATION_LIMITS = ((7, 1.0), (8, 2.0), (60, 30.0), (1800, 3600.0))
APP_LIMITS = ((50, 1.0),)


class _Windows:
    def __init__(self, limits: tuple[tuple[int, float], ...]) -> None:
        self.limits = limits
        self.times: deque[float] = deque()
        self.longest = max(seconds for _, seconds in limits)

    def retry_after(self, now: float) -> float:
        """0 when one more request fits every window now, else the seconds until it would."""
        while self.times and now - self.times[0] >= self.longest:
            self.times.popleft()
        wait = 0.0
        for count, seconds in self.limits:
            inside = [t for t in self.times if now - t < seconds]
            if len(inside) >= count:
                wait = max(wait, inside[-count] + seconds - now)
        return wait


class StubConnector(BotConnector):
    def __init__(self, *, limits: bool = False, clock=time.monotonic) -> None:
        super().__init__()
        self.limits = limits
        self.failing: int | None = None
        self.failed = 0
        self.clock = clock
        self._conversations: dict[str, _Windows] = defaultdict(lambda: _Windows(CONVERSATION_LIMITS))
        self._app = _Windows(APP_LIMITS)
        self.requests = 0
        self.refused_429 = 0
        self.arrivals: list[tuple[float, str]] = []
        self._runner: web.AppRunner | None = None

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        self._runner = web.AppRunner(self.app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        port = self._runner.addresses[0][1]  # the port chosen by the OS
        self.url = f"http://{host}:{port}/"
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def reset(self) -> None:
        self.requests = self.refused_429 = self.failed = 0
        self.arrivals.clear()
        self._conversations.clear()
        self._app = _Windows(APP_LIMITS)

    def refused(self, request: web.Request, conversation_id: str) -> web.Response | None:
        self.requests += 1
        if self.failing is not None:
            self.failed += 1
            return web.json_response({"error": {"code": "ServiceUnavailable", "message": "unreachable"}},
                                     status=self.failing)
        if not self.limits:
            return None
        now = self.clock()
        windows = self._conversations[conversation_id.split(";", 1)[0]]
        wait = max(windows.retry_after(now), self._app.retry_after(now))
        if wait > 0:
            self.refused_429 += 1
            return web.json_response({"error": {"code": "TooManyRequests", "message": "rate limit"}},
                                     status=429, headers={"Retry-After": str(max(1, math.ceil(wait)))})
        windows.times.append(now)
        self._app.times.append(now)
        self.arrivals.append((now, conversation_id.split(";", 1)[0]))
        return None


def _stats_app(stub: StubConnector) -> web.Application:
    app = stub.app()

    async def stats(_request: web.Request) -> web.Response:
        arrivals = [t for t, _ in stub.arrivals]
        return web.json_response({"requests": stub.requests, "refused_429": stub.refused_429, "failed": stub.failed,
                                  "first_to_last": (max(arrivals) - min(arrivals)) if arrivals else 0.0,
                                  "arrivals": [t - arrivals[0] for t in arrivals] if arrivals else []})

    async def reset(_request: web.Request) -> web.Response:
        stub.reset()
        return web.json_response({})

    async def fail(request: web.Request) -> web.Response:
        status = request.query.get("status")
        stub.failing = int(status) if status else None
        return web.json_response({})

    app.router.add_post("/fail", fail)
    app.router.add_get("/stats", stats)
    app.router.add_post("/reset", reset)
    return app


def main() -> None:
    """`python -m bench.connector --port N [--limits]`: the stub in a process of its own."""
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--limits", action="store_true")
    args = parser.parse_args()
    web.run_app(_stats_app(StubConnector(limits=args.limits)), host="127.0.0.1", port=args.port, print=None,
                access_log=None)


if __name__ == "__main__":
    main()
