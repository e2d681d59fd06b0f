"""The DfE children missing education census: which of an authority's children count on a census date, and how.

Pure counting, no storage. The rules (CME-RULES.md) say what the collection counts (sex, year group, length of
time missing, primary reason, with five reasons added in autumn 2025) but not its dates, bands or reason codes;
docs/census.md gives the reading taken here where they are silent.

Counted in the return: the children of section 436A of the Education Act 1996 (compulsory school age, not
registered at a school), that is the authority's register on the census date less the two kinds below, which are
shown beside the figures so that no child on the register drops out of sight:
- a child still on a school's roll on the census date (an open case whose school has not removed them): missing
  from school, not yet missing education in the DfE's count;
- a child whose date of birth puts them outside compulsory school age on the census date.
A child without a date of birth is counted (their age cannot rule them out), year group "Not known".
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from cme.at_risk import reason_label
from cme.school_age import of_compulsory_school_age

SEXES: tuple[tuple[str, str], ...] = (("female", "Female"), ("male", "Male"), ("not_known", "Not known"))
SEX_LABELS = dict(SEXES)
SEX_NOT_KNOWN = "not_known"

NOT_KNOWN = "Not known"
YEAR_GROUPS = ("Reception", *(f"Year {n}" for n in range(1, 12)), NOT_KNOWN)
BELOW_RECEPTION, ABOVE_YEAR_11 = "Below reception", "Year 12 or above"

# Length of time missing at the census date, in calendar weeks since the first day of absence:
# (label, the band holds up to this many days; None: the rest). The 12-week edge is that of the national figures.
LENGTH_BANDS: tuple[tuple[str, int | None], ...] = (
    ("Up to 4 weeks", 28), ("Over 4 weeks, up to 12 weeks", 84), ("Over 12 weeks, up to 26 weeks", 182),
    ("Over 26 weeks, up to 52 weeks", 364), ("Over 52 weeks", None))

# The primary reason as the census names it, from the reason on the case (policy 6.3, cme/at_risk.py). The rules
# name one of the DfE's reasons, "school application awaiting outcome": a child added awaiting a place is that.
# Each other reason of the policy stays its own line, so the officer can key it to the DfE's code.
AWAITING_OUTCOME = "School application awaiting outcome"
REASON_NAMES = {"awaiting_school_place": AWAITING_OUTCOME, "unknown": NOT_KNOWN, "": NOT_KNOWN}


@dataclass(frozen=True)
class CensusChild:
    """What the census needs of one child on the register (no name, no address)."""

    sex: str
    date_of_birth: date | None
    first_day_absent: date
    reason: str
    on_roll: bool  # on a school's roll on the census date


@dataclass(frozen=True)
class CensusCounts:
    census_date: date
    counted: int = 0
    by_sex: dict[str, int] = field(default_factory=dict)
    by_year_group: dict[str, int] = field(default_factory=dict)
    by_length: dict[str, int] = field(default_factory=dict)
    by_reason: dict[str, int] = field(default_factory=dict)
    on_roll: int = 0  # on the register, not counted: still on a school's roll
    outside_school_age: int = 0  # on the register, not counted: outside compulsory school age

    def measures(self) -> list[tuple[str, list[tuple[str, int]]]]:
        """Each measure with its categories in order, zeros included (the card and the CSV show the same)."""
        return [
            ("Sex", [(label, self.by_sex.get(label, 0)) for _, label in SEXES]),
            ("Year group", [(label, self.by_year_group.get(label, 0)) for label in YEAR_GROUPS]),
            ("Length of time missing", [(label, self.by_length.get(label, 0)) for label, _ in LENGTH_BANDS]),
            ("Primary reason", sorted(self.by_reason.items(), key=lambda pair: (-pair[1], pair[0]))),
        ]


def age_on(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def school_year_start(on: date) -> date:
    """1 September of the school year `on` falls in."""
    return date(on.year if on.month >= 9 else on.year - 1, 9, 1)


def year_group(born: date | None, census_date: date) -> str:
    """The national curriculum year: the age on 31 August before the school year of the census date, less 4
    (Reception at 4). A child born on 31 August is the youngest of their year: that day's birthday counts."""
    if born is None:
        return NOT_KNOWN
    start = school_year_start(census_date)
    year = age_on(born, date(start.year, 8, 31)) - 4
    if year < 0:
        return BELOW_RECEPTION
    if year > 11:
        return ABOVE_YEAR_11
    return "Reception" if year == 0 else f"Year {year}"


def length_band(first_day_absent: date, census_date: date) -> str:
    days = (census_date - first_day_absent).days
    return next(label for label, upto in LENGTH_BANDS if upto is None or days <= upto)


def primary_reason(reason: str) -> str:
    return REASON_NAMES.get(reason or "", None) or reason_label(reason)


def sex_label(sex: str) -> str:
    return SEX_LABELS.get(sex or SEX_NOT_KNOWN, SEX_LABELS[SEX_NOT_KNOWN])


def counts(children: list[CensusChild], census_date: date) -> CensusCounts:
    """The census of the children on the register on `census_date` (storage/census.py chooses them)."""
    sexes, years, lengths, reasons = Counter(), Counter(), Counter(), Counter()
    on_roll = outside = 0
    for child in children:
        if child.on_roll:
            on_roll += 1
            continue
        if child.date_of_birth is not None and not of_compulsory_school_age(child.date_of_birth, census_date):
            outside += 1
            continue
        sexes[sex_label(child.sex)] += 1
        years[year_group(child.date_of_birth, census_date)] += 1
        lengths[length_band(child.first_day_absent, census_date)] += 1
        reasons[primary_reason(child.reason)] += 1
    return CensusCounts(census_date, sum(sexes.values()), dict(sexes), dict(years), dict(lengths), dict(reasons),
                        on_roll, outside)


def parse_census_date(text: str, today: date) -> date:
    """A census date typed as YYYY-MM-DD, not after today; a ValueError says what is wrong, in words."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError("That is not a date: give the census date as YYYY-MM-DD, for example 2026-10-01.") from None
    if day > today:
        raise ValueError(f"The census date cannot be after today, {today:%-d %B %Y}: the census counts "
                         "the children missing education on a day that has come.")
    return day


COLUMNS = ("Authority", "Census date", "Measure", "Category", "Children")


def census_rows(authority: str, result: CensusCounts) -> list[tuple[str, date, str, str, int]]:
    """The census as lines under COLUMNS (the CSV): the total, one line a category of each measure, then the
    children of the register not counted and why."""
    day = result.census_date
    rows = [(authority, day, "Total", "Children missing education", result.counted)]
    for measure, categories in result.measures():
        rows += [(authority, day, measure, label, n) for label, n in categories]
    rows.append((authority, day, "Not counted", "On a school's roll (enquiries under way)", result.on_roll))
    rows.append((authority, day, "Not counted", "Outside compulsory school age", result.outside_school_age))
    return rows
