"""`cme-bot starters import --school URN FILE.csv`: a good file imported, a bad one refused whole with each problem's
line number, and a re-import adding nothing."""

from __future__ import annotations

import argparse
from datetime import date

import pytest

from bot.config import DEVELOPMENT, EXAMPLE_TERM_DATES, Settings
from bot.ops.starters_admin import starters_import

TODAY = date(2026, 7, 6)  # a Monday in July: September's Reception and Year 7
GOOD = """forename,surname,date_of_birth,year_group,first_day,address,postcode,previous_school
Ada,Madeup,2022-05-01,Reception,2026-09-03,1 Fictional Road,ZZ99 1ZZ,
Bo,Notreal,2015-02-03,Year 7,2026-09-03,"2 Pretend Street, Nowhere",ZZ99 2ZZ,Imaginary Primary
"""
BAD = """forename,surname,date_of_birth,year_group,first_day,address,postcode,previous_school
Ada,Madeup,2022-05-01,Reception,2026-09-03,,,
Bo,,2015-02-03,Year 7,2026-09-03,,,
Cy,Fictitious,2015-02-03,Year 13,2026-09-01,,nope,
"""


@pytest.fixture
def settings(database_url):
    return Settings(database_url=database_url, environment=DEVELOPMENT, today=TODAY, scheduler=False,
                    term_dates=EXAMPLE_TERM_DATES)


@pytest.fixture
async def oakwood(store):
    return await store.schools.add("900001", "Oakwood Primary School (fictional)", "Example Borough Council",
                                   actor="test")


async def _import(settings, path, capsys, school="900001"):
    code = await starters_import(argparse.Namespace(file=str(path), school=school), settings)
    out, err = capsys.readouterr()
    return code, out, err


async def _listed(store, school):
    return sorted(s.pupil.forename for s in await store.expected_starters.of_schools([school.id], date(2026, 1, 1)))


async def test_a_good_file_then_the_same_again(settings, store, oakwood, tmp_path, capsys):
    path = tmp_path / "september.csv"
    path.write_text(GOOD)
    code, out, err = await _import(settings, path, capsys)
    assert code == 0, err
    assert "2 expected starter(s) added, 0 there already" in out
    assert await _listed(store, oakwood) == ["Ada", "Bo"]
    bo = next(s for s in await store.expected_starters.of_schools([oakwood.id], TODAY) if s.pupil.forename == "Bo")
    assert bo.pupil.address == "2 Pretend Street, Nowhere" and bo.previous_school == "Imaginary Primary"
    assert bo.first_day == date(2026, 9, 3) and [e.data["source"] for e in
                                                 await store.expected_starters.history(bo.id)] == ["csv"]

    code, out, err = await _import(settings, path, capsys)
    assert code == 0 and "0 expected starter(s) added, 2 there already" in out
    assert await _listed(store, oakwood) == ["Ada", "Bo"]


async def test_a_bad_file_imports_nothing_and_says_where(settings, store, oakwood, tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text(BAD)
    code, out, err = await _import(settings, path, capsys)
    assert code == 2 and out == ""
    assert "NOTHING was imported" in err
    assert "line 3: surname: Enter the pupil's surname." in err
    assert "line 4: year_group:" in err and "line 4: postcode:" in err
    assert "line 4: first_day: Tuesday 1 September 2026 is not a school day (INSET days)" in err
    assert "line 2" not in err, "the good row is not a problem, yet it is not imported either"
    assert "Fictitious" not in err and "Madeup" not in err, "no typed value is repeated"
    assert await _listed(store, oakwood) == []


async def test_an_unknown_school_or_file(settings, store, oakwood, tmp_path, capsys):
    path = tmp_path / "september.csv"
    path.write_text(GOOD)
    code, _, err = await _import(settings, path, capsys, school="999999")
    assert code == 2 and "no school with URN 999999" in err
    code, _, err = await _import(settings, tmp_path / "missing.csv", capsys)
    assert code == 2 and "cannot read" in err and "Nothing was imported" in err
    assert await _listed(store, oakwood) == []


def test_the_command_line_names_it():
    from bot.ops import cli

    args = cli.parser().parse_args(["starters", "import", "--school", "900001", "september.csv"])
    assert args.run is starters_import and args.school == "900001" and args.file == "september.csv"
