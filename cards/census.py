"""`census`: the DfE children missing education census of an authority on a census date. Counts only: no child is
named; the children on the register not counted are shown beside the figures, with why."""

from __future__ import annotations

from collections.abc import Sequence

from cards.base import card, facts, heading, text
from cards.text import user_text
from cme.census import CensusCounts


def census_card(authority: str, result: CensusCounts, *, default_date: bool = False,
                actions: Sequence = ()) -> dict:
    day = f"{result.census_date:%A %-d %B %Y}"
    body = [heading(f"CME census: {user_text(authority)}"),
            text(f"Census date {day}{' (today)' if default_date else ''}. Say `census YYYY-MM-DD` for another "
                 "date. Counts only: no child is named.", subtle=True),
            text(f"Children missing education on the census date: {result.counted}", bold=True)]
    for measure, categories in result.measures():
        body.append(text(measure, bold=True))
        body.append(facts([(label, str(n)) for label, n in categories]) if categories
                    else text("None.", subtle=True))
    body.append(text("On the register, not counted", bold=True))
    body.append(facts([("Still on a school's roll (enquiries under way)", str(result.on_roll)),
                       ("Outside compulsory school age (by the date of birth)", str(result.outside_school_age))]))
    body.append(text("Counted: the children of the authority's register not on a school's roll on the census date "
                     "and of compulsory school age (section 436A of the Education Act 1996; no date of birth: "
                     "counted). Year group from the date of birth; weeks missing from the first day of absence. "
                     "The figures are as recorded now: a case reported since, about a child missing then, counts. "
                     "docs/census.md says how each figure is reckoned.", subtle=True))
    return card(body, actions)


def census_date_problem_card(problem: str) -> dict:
    return card([heading("CME census"), text(problem, color="attention")])
