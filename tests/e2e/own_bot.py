"""A bot of its own for one browser test (its cases would show in other tests' lists), with two open cases, and one
demo person's playground in front of it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path

from bot.ops.playgrounds import config_for, demo_people, read_playground
from cme.case import Case, Pupil
from cme.lifecycle import State
from storage.cases import Actor, NewEvent
from storage.store import Store
from tests.e2e.bot_process import BotProcess
from tests.e2e.conftest import E2E_TODAY
from tests.e2e.playground import Playground

# Missing since 9 November (a week before E2E_TODAY) and since 1 October: Birch is the longer missing.
CHILDREN = (("Ash", date(2026, 11, 9)), ("Birch", date(2026, 10, 1)))


@asynccontextmanager
async def own_bot(tmp_path: Path, person: str, surname: str, **case_fields) -> AsyncIterator[Playground]:
    """Ash and Birch `surname` (fictional), reported at Oakwood by Sam Staff, with `case_fields` (e.g. their risk
    groups); then `person`'s playground (a name in demo/demo.toml). Both processes stop when the block ends."""
    bot = await BotProcess(tmp_path, env={"CME_TODAY": E2E_TODAY, "CME_SCHEDULER": "off"}).start()
    store = Store.from_url(bot.env["DATABASE_URL"])
    school = await store.schools.by_urn("900001")
    for forename, day in CHILDREN:
        case = Case(reference="", school_id=school.id, state=State.REPORTED, first_day_absent=day, run_start=day,
                    pupil=Pupil(forename, surname, date(2016, 1, 5)), **case_fields)
        await store.cases.create(case, NewEvent("reported", {}, Actor("e2e", "Sam Staff")), {})
    await store.close()
    demo_person = next(p for p in demo_people() if p.name == person)
    playground = await Playground(bot.endpoint, config_for(read_playground(), demo_person)).start()
    try:
        yield playground
    finally:
        await playground.stop()
        await bot.stop()
