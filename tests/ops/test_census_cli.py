"""`cme-bot export census --authority … --date … --out FILE`: the census card's figures as the CSV the card's
Download gives, for one authority; a bad date is said in one line."""

from __future__ import annotations

import csv
from datetime import date

from cme.case import Case, Pupil
from cme.lifecycle import Outcome, State
from storage.cases import Actor, NewEvent
from storage.store import Store
from tests.ops.test_cli import run

BOROUGH = "Example Borough Council"


async def _cases(database_url: str) -> None:
    """At Oakwood: a girl removed from roll on 2 November and a boy still on roll; at Northfield's Hillside, one."""
    store = Store.from_url(database_url)
    try:
        for urn, sex, removed in (("900001", "female", True), ("900001", "male", False), ("900003", "male", True)):
            school = await store.schools.by_urn(urn)
            case = Case(reference="", school_id=school.id, first_day_absent=date(2026, 10, 5),
                        run_start=date(2026, 10, 5), pupil=Pupil("Cli", "Censustest", date(2014, 9, 1)),
                        authority_id=school.authority_id, sex=sex, reason="never_started",
                        state=State.OUT_OF_PROVISION if removed else State.ENQUIRIES,
                        outcome=Outcome.REMOVED_FROM_ROLL if removed else None,
                        off_roll_date=date(2026, 11, 2) if removed else None)
            await store.cases.create(case, NewEvent("reported", {}, Actor("aad-test", "Test")), {})
    finally:
        await store.close()


async def test_the_census_written_to_a_file(database_url, tmp_path):
    assert (await run("demo", "load", database_url=database_url)).returncode == 0
    await _cases(database_url)
    out = tmp_path / "census.csv"

    done = await run("export", "census", "--authority", BOROUGH, "--date", "2026-11-10", "--out", str(out),
                     database_url=database_url)
    assert done.returncode == 0, done.stderr
    with out.open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.reader(file))
    assert rows[0] == ["Authority", "Census date", "Measure", "Category", "Children"]
    assert rows[1] == [BOROUGH, "2026-11-10", "Total", "Children missing education", "1"]
    assert [BOROUGH, "2026-11-10", "Sex", "Female", "1"] in rows and [BOROUGH, "2026-11-10", "Sex", "Male", "0"] in rows
    assert [BOROUGH, "2026-11-10", "Year group", "Year 7", "1"] in rows  # 1 September 2014: 11 on 31 August 2026
    assert [BOROUGH, "2026-11-10", "Length of time missing", "Over 4 weeks, up to 12 weeks", "1"] in rows
    assert [BOROUGH, "2026-11-10", "Primary reason", "Never started provision", "1"] in rows
    assert [BOROUGH, "2026-11-10", "Not counted", "On a school's roll (enquiries under way)", "1"] in rows
    assert {row[0] for row in rows[1:]} == {BOROUGH}, "not Northfield's"
    assert "Censustest" not in out.read_text()

    before = await run("export", "census", "--authority", BOROUGH, "--date", "2026-11-01", database_url=database_url)
    assert before.returncode == 0, before.stderr
    assert [BOROUGH, "2026-11-01", "Total", "Children missing education", "0"] in list(csv.reader(
        before.stdout.lstrip("\ufeff").splitlines()))  # both still on Oakwood's roll then

    wrong = await run("export", "census", "--authority", BOROUGH, "--date", "10/11/2026", database_url=database_url)
    assert wrong.returncode == 2
    assert wrong.stderr.strip() == ("cme-bot: That is not a date: give the census date as YYYY-MM-DD, for example "
                                    "2026-10-01.")
