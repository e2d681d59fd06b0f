"""`cme-bot export deletion-returns` and `cme-bot export new-pupil-returns`: the authority's returns for its tracking
officers, a school's own with --as-school, never another authority's; as CSV or a printable page."""

from __future__ import annotations

import csv
import io
from datetime import date

from cme.case import Pupil
from cme.deletion_return import DeletionReturn, Parent
from cme.expected_starters import Starter
from storage.cases import Actor
from storage.store import Store
from tests.ops.test_cli import run

ACTOR = Actor("aad-test", "Test Staff")


async def _returns(database_url: str) -> None:
    store = Store.from_url(database_url)
    try:
        for urn, forename in (("900001", "Ada"), ("900002", "Bea"), ("900003", "Cal")):
            school = await store.schools.by_urn(urn)
            made = DeletionReturn("k" if forename == "Bea" else "f", date(2026, 11, 20), forename, "Clireturn",
                                  "2 Test Row, ZZ99 2ZZ", (Parent(f"Pat {forename}", "2 Test Row", "07700 900222"),))
            await store.deletion_returns.create(made, school_id=school.id, authority_id=school.authority_id,
                                                case_id=None, actor=ACTOR, submission_key=f"cli-{forename}",
                                                sent_on=date(2026, 11, 16))
            await store.expected_starters.add(Starter(school.id, Pupil(forename, "Clistarter", date(2016, 1, 5),
                                                                       year_group="Year 5"), date(2026, 11, 9)), ACTOR)
    finally:
        await store.close()


def _names(text: str, column: str = "Forename") -> list[str]:
    rows = list(csv.reader(io.StringIO(text)))
    return [row[rows[0].index(column)] for row in rows[1:]]


async def test_the_returns_exported_from_the_command_line(database_url, tmp_path):
    assert (await run("demo", "load", database_url=database_url)).returncode == 0
    await _returns(database_url)

    officer = await run("export", "deletion-returns", "--authority", "Example Borough Council",
                        database_url=database_url)
    assert officer.returncode == 0, officer.stderr
    assert _names(officer.stdout) == ["Ada", "Bea"]  # not Northfield's Cal
    rows = list(csv.reader(io.StringIO(officer.stdout)))
    bea = dict(zip(rows[0], rows[2], strict=True))
    assert bea["Regulation"] == "regulation 9(1)(k)" and bea["Ground"] == "Has died"
    assert bea["Parent 1 emergency telephone"] == "07700 900222" and bea["Status"] == "sent, not acknowledged yet"
    assert "Deletion returns: Example Borough Council: 2 lines written to standard output" in officer.stderr

    school = await run("export", "deletion-returns", "--authority", "Example Borough Council", "--as-school",
                       "900002", database_url=database_url)
    assert school.returncode == 0, school.stderr
    assert _names(school.stdout) == ["Bea"]

    page = tmp_path / "returns.html"
    done = await run("export", "deletion-returns", "--authority", "Northfield Council (fictional)", "--format", "html",
                     "--out", str(page), database_url=database_url)
    assert done.returncode == 0, done.stderr
    html = page.read_text()
    assert "Cal" in html and "Ada" not in html and "regulation 9(1)(f)" in html

    wrong = await run("export", "deletion-returns", "--authority", "Northfield Council (fictional)", "--as-school",
                      "900001", database_url=database_url)
    assert wrong.returncode == 2 and "No school with URN 900001 in Northfield Council (fictional)." in wrong.stderr

    starters = await run("export", "new-pupil-returns", "--authority", "Example Borough Council",
                         database_url=database_url)
    assert starters.returncode == 0, starters.stderr
    assert sorted(_names(starters.stdout)) == ["Ada", "Bea"]
    own = await run("export", "new-pupil-returns", "--authority", "Example Borough Council", "--as-school", "900001",
                    database_url=database_url)
    assert _names(own.stdout) == ["Ada"] and "Status" in own.stdout.splitlines()[0]
