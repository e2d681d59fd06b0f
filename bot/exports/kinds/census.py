"""The DfE children missing education census as an export: the census card's figures, one line a category of each
measure, for each authority of the tracking officer (cme/census.py, docs/census.md). Counts only."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from bot.exports.registry import ExportOption, ExportRefused, export_kind
from bot.exports.table import Table
from bot.handlers.census import OFFICERS, census_of
from cme.census import COLUMNS, census_rows, parse_census_date

OPTIONS = (ExportOption("date", "YYYY-MM-DD: the census date, not after today (default: today)"),)


def census_date_of(params: Mapping[str, str], today: date) -> date:
    typed = params.get("date", "").strip()
    try:
        return parse_census_date(typed, today) if typed else today
    except ValueError as problem:
        raise ExportRefused(str(problem)) from problem


def _check(params: Mapping[str, str]) -> None:
    census_date_of(params, date.max)  # its form; after today is refused when it is built


@export_kind("census", title="The CME census", roles=OFFICERS, options=OPTIONS, check=_check)
async def census(services, person, params) -> Table:
    census_date = census_date_of(params, services.today())
    rows, names = [], []
    for authority_id in person.authority_ids(OFFICERS):
        authority = await services.store.schools.authority(authority_id)
        names.append(authority.name)
        rows += census_rows(authority.name, await census_of(services, authority_id, census_date))
    return Table(title=f"CME census: {', '.join(names) or 'no authority'}", columns=COLUMNS, rows=rows,
                 notes=(f"Census date {census_date:%A %-d %B %Y}. Counts only: no child is named.",
                        "Counted: the children of the register not on a school's roll on the census date and of "
                        "compulsory school age (section 436A of the Education Act 1996); those not counted are the "
                        "last lines, with why. docs/census.md says how each figure is reckoned."),
                 filename=f"cme-census-{census_date.isoformat()}")
