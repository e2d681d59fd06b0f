"""`cme-bot export <kind>`: the register of one authority from the command line, with the card's filters, as CSV or a
printable page, to standard output or to a file only its owner may read; wrong options are said in one line."""

from __future__ import annotations

import csv
import io
import stat
from datetime import date

from cme.case import Case, Pupil
from cme.lifecycle import State
from storage.cases import Actor, NewEvent
from storage.store import Store
from tests.ops.test_cli import run


async def _cases(database_url: str) -> None:
    store = Store.from_url(database_url)
    try:
        for urn, forename, first_day in (("900001", "Ada", date(2026, 10, 5)), ("900002", "Bea", date(2026, 11, 9)),
                                         ("900003", "Cal", date(2026, 11, 2))):
            school = await store.schools.by_urn(urn)
            case = Case(reference="", school_id=school.id, state=State.ENQUIRIES, first_day_absent=first_day,
                        run_start=first_day, pupil=Pupil(forename, "Clitest", date(2016, 1, 5)),
                        authority_id=school.authority_id)
            await store.cases.create(case, NewEvent("reported", {}, Actor("aad-test", "Test")), {})
    finally:
        await store.close()


async def test_the_register_exported_from_the_command_line(database_url, tmp_path):
    assert (await run("demo", "load", database_url=database_url)).returncode == 0
    await _cases(database_url)

    listed = await run("export", "register", "--authority", "Example Borough Council", database_url=database_url)
    assert listed.returncode == 0, listed.stderr
    rows = list(csv.reader(io.StringIO(listed.stdout)))
    assert rows[0][:3] == ["Reference", "Name", "Date of birth"]
    assert [row[1] for row in rows[1:]] == ["Ada Clitest", "Bea Clitest"]  # not Northfield's Cal
    assert "Register: Example Borough Council: 2 lines written to standard output" in listed.stderr

    page = tmp_path / "register.html"
    done = await run("export", "register", "--authority", "Example Borough Council", "--school", "urn:900002",
                     "--format", "html", "--out", str(page), database_url=database_url)
    assert done.returncode == 0, done.stderr
    html = page.read_text()
    assert "Bea Clitest" in html and "Ada Clitest" not in html and "Filters: Riverside Academy (fictional)" in html
    assert stat.S_IMODE(page.stat().st_mode) == 0o600

    north = await run("export", "register", "--authority", "Northfield Council (fictional)", "--school",
                      "urn:900001", database_url=database_url)
    assert north.returncode == 2 and "No school with URN 900001 in your authority." in north.stderr

    wrong = await run("export", "register", "--authority", "Example Borough Council", "--stage", "nonsense",
                      database_url=database_url)
    assert wrong.returncode == 2 and wrong.stderr.strip() == "cme-bot: Choose a stage from the list."
    unknown = await run("export", "register", "--authority", "Nowhere", database_url=database_url)
    assert unknown.returncode == 2 and "There is no such local authority" in unknown.stderr
