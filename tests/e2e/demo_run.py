"""`make run AS=...` (scripts/run-demo.sh) for a whole test module: one bot, the demonstration data with its child
out of provision, and each person's own playground, driven from pytest. (test_each_person.py's `tara_and_sam` is the
same for one test.)"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from tests.e2e.patience import PATIENCE_S
from tests.e2e.playground import Playground
from tests.e2e.test_each_person import RunDemo


@asynccontextmanager
async def demo_run(tmp_path: Path, people: str) -> AsyncIterator[tuple[RunDemo, dict[str, Playground]]]:
    """The run and {given name in lower case: their playground}; everything stops when the block ends."""
    run = RunDemo(tmp_path, people)
    playgrounds: dict[str, Playground] = {}
    try:
        started = await asyncio.wait_for(asyncio.to_thread(run.start), PATIENCE_S)
        assert len(started) == len(people.split(",")), "\n".join(run.banner)
        for name, (address, _) in started.items():
            key = name.split()[0].lower()
            playgrounds[key] = await Playground.attach(address, tmp_path / "playgrounds" / f"{key}.log")
        yield run, playgrounds
    finally:
        for playground in playgrounds.values():
            await playground.stop()
        run.stop()
