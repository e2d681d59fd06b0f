"""`cme-bot export cnis-register`: the children not in school register (CWS Act 2026, s.38) is refused while the
setting is off, and when on lists the authority's children out of school with the s.436C fields it holds."""

from __future__ import annotations

import csv
import io
from datetime import date

from cme.case import Carer, Case, Pupil
from cme.lifecycle import Outcome, State
from storage.cases import Actor, NewEvent
from storage.store import Store
from tests.ops.test_cli import run

EXAMPLE = "Example Borough Council"


async def _cases(database_url: str) -> None:
    store = Store.from_url(database_url)
    try:
        for urn, forename, state in (("900001", "Ada", State.OUT_OF_PROVISION), ("900002", "Bea", State.ENQUIRIES),
                                     ("900003", "Cal", State.OUT_OF_PROVISION)):
            school = await store.schools.by_urn(urn)
            case = Case(reference="", school_id=school.id, state=state, first_day_absent=date(2026, 10, 5),
                        run_start=date(2026, 10, 5), authority_id=school.authority_id,
                        outcome=Outcome.REMOVED_FROM_ROLL if state is State.OUT_OF_PROVISION else None,
                        pupil=Pupil(forename, "Cnistest", date(2016, 1, 5), address="2 Pretend Row",
                                    carers=(Carer(f"{forename}'s Parent (fictional)", "07700 900456"),)))
            await store.cases.create(case, NewEvent("reported", {}, Actor("aad-test", "Test")), {})
    finally:
        await store.close()


async def test_refused_until_the_section_is_in_force(database_url, monkeypatch):
    monkeypatch.delenv("CME_CNIS_REGISTER_EXPORT", raising=False)
    assert (await run("demo", "load", database_url=database_url)).returncode == 0
    await _cases(database_url)
    done = await run("export", "cnis-register", "--authority", EXAMPLE, database_url=database_url)
    assert done.returncode == 2 and done.stdout == ""
    assert "is not in force yet" in done.stderr and "CME_CNIS_REGISTER_EXPORT=on" in done.stderr


async def test_when_on_the_authoritys_children_out_of_school_are_listed(database_url, monkeypatch):
    monkeypatch.setenv("CME_CNIS_REGISTER_EXPORT", "on")
    assert (await run("demo", "load", database_url=database_url)).returncode == 0
    await _cases(database_url)
    done = await run("export", "cnis-register", "--authority", EXAMPLE, database_url=database_url)
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout.lstrip("\ufeff"))))
    assert [row["name"] for row in rows] == ["Ada Cnistest"]  # Bea is on a roll; Cal is Northfield's
    ada = rows[0]
    assert ada["home_address"] == "2 Pretend Row" and ada["parents"] == "Ada's Parent (fictional)"
    assert ada["parents_addresses"] == "not held" and "time_with_provider" in ada["not_held"]
    assert ada["education_provider"].startswith("none known")
