"""The rounds of benchmark 1 summed up: medians and spread, each ratio taken within its own round.

A shared machine's load comes and goes within seconds, so a ratio of two figures measured a minute apart
says as much about the neighbours as about the bot. Each workload is divided by the echo sample of the
same round (throughput, and p99), and the medians of those ratios are reported with their min-max.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from bench.messages import BARE, ECHO, Round


@dataclass(frozen=True)
class Spread:
    median: float
    low: float
    high: float

    @classmethod
    def of(cls, values: list[float]) -> Spread:
        values = [v for v in values if v == v] or [float("nan")]  # NaN left out
        return cls(statistics.median(values), min(values), max(values))

    def text(self, digits: int = 0) -> str:
        return f"{self.median:.{digits}f} ({self.low:.{digits}f}-{self.high:.{digits}f})"

    @property
    def relative(self) -> float:
        """The spread as a share of the median: (max - min) / median."""
        return (self.high - self.low) / self.median if self.median else float("nan")


@dataclass(frozen=True)
class Summary:
    name: str
    backend: str
    rounds: int
    per_second: Spread
    x_echo: Spread  # msg/s over the same round's echo msg/s
    p50: Spread
    p99: Spread
    p99_x_echo: Spread  # p99 over the same round's echo p99
    cpu_ms: Spread
    replies_per_message: float
    errors: int

    @property
    def reference(self) -> bool:
        return self.name in (ECHO, BARE)


def summarise(rounds: list[Round]) -> list[Summary]:
    """One summary per workload and database, in the order of the first round."""
    keys: list[tuple[str, str]] = []
    runs: dict[tuple[str, str], list] = {}
    for one in rounds:
        echo = next((m.result for m in one.measured if m.name == ECHO), None)
        for m in one.measured:
            key = (m.name, m.backend)
            if key not in runs:
                keys.append(key)
                runs[key] = []
            runs[key].append((m, echo))
    out = []
    for key in keys:
        pairs = runs[key]
        out.append(Summary(
            key[0], key[1], len(pairs),
            Spread.of([m.result.per_second for m, _ in pairs]),
            Spread.of([m.result.per_second / e.per_second if e and e.per_second else float("nan") for m, e in pairs]),
            Spread.of([m.result.p50 for m, _ in pairs]),
            Spread.of([m.result.p99 for m, _ in pairs]),
            Spread.of([m.result.p99 / e.p99 if e and e.p99 else float("nan") for m, e in pairs]),
            Spread.of([m.result.cpu_ms_per_message for m, _ in pairs]),
            statistics.median(m.replies_per_message for m, _ in pairs),
            sum(m.result.errors for m, _ in pairs)))
    backends = list(dict.fromkeys(backend for _, backend in keys))
    # The references as measured (echo, ceiling); then ours by database as measured, (a) (b) (c) (d) within each.
    return sorted(out, key=lambda s: (0, 0, "") if s.reference else (1, backends.index(s.backend), s.name))
