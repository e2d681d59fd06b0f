"""When the Children Out of Provision Panel sits (every other weekday the authority sets, school days only),
and the figures it is shown."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest

from cards.copp import PanelView, copp_digest_card, copp_pack_card
from cards.validate import problems
from cme.copp import (
    Panel,
    PanelCase,
    PanelSchedule,
    ScheduleError,
    latest_panel,
    next_panel,
    panel_figures,
    parse_time,
    parse_weekday,
)
from cme.term_dates import parse_term_dates

EXAMPLE = Path(__file__).parents[2] / "config" / "term-dates.example.toml"
AUTHORITY = parse_term_dates(EXAMPLE.read_text(encoding="utf-8")).authority_calendar()
DEFAULT = PanelSchedule()


def test_by_default_every_other_monday_at_nine():
    assert DEFAULT.at == time(9, 0)
    assert latest_panel(DEFAULT, AUTHORITY, date(2026, 11, 16)) == Panel(date(2026, 11, 16), date(2026, 11, 2))
    assert latest_panel(DEFAULT, AUTHORITY, date(2026, 11, 27)) == Panel(date(2026, 11, 16), date(2026, 11, 2))
    assert latest_panel(DEFAULT, AUTHORITY, date(2026, 11, 15)).day == date(2026, 11, 2)
    assert next_panel(DEFAULT, AUTHORITY, date(2026, 11, 17)).day == date(2026, 11, 30)


def test_a_panel_day_that_is_not_a_school_day_moves_to_the_next_school_day():
    assert next_panel(DEFAULT, AUTHORITY, date(2026, 5, 1)).day == date(2026, 5, 5), "Early May bank holiday"
    # 28 December is in the Christmas holiday and 4 January an INSET day: the panel sits on Tuesday 5 January.
    assert next_panel(DEFAULT, AUTHORITY, date(2026, 12, 15)) == Panel(date(2027, 1, 5), date(2026, 12, 14))
    assert next_panel(DEFAULT, AUTHORITY, date(2027, 1, 6)).day == date(2027, 1, 11), "then the fortnight resumes"


def test_fortnights_falling_in_one_holiday_make_one_panel():
    # 27 July, 10 and 24 August 2026 are in the summer holiday (and 1-2 September INSET days).
    first_back = latest_panel(DEFAULT, AUTHORITY, date(2026, 9, 3))
    assert first_back == Panel(date(2026, 9, 3), date(2026, 7, 13))
    assert latest_panel(DEFAULT, AUTHORITY, date(2026, 9, 2)).day == date(2026, 7, 13)
    assert next_panel(DEFAULT, AUTHORITY, date(2026, 9, 4)) == Panel(date(2026, 9, 7), date(2026, 9, 3))


def test_an_authority_sets_its_weekday_time_and_first_panel():
    schedule = PanelSchedule(parse_weekday("Wednesday"), parse_time("14:30"), date(2026, 11, 16))
    assert schedule.first == date(2026, 11, 18)
    assert latest_panel(schedule, AUTHORITY, date(2026, 11, 17)) is None, "nothing before the first"
    assert latest_panel(schedule, AUTHORITY, date(2026, 11, 18)) == Panel(date(2026, 11, 18), None)
    assert next_panel(schedule, AUTHORITY, date(2026, 11, 19)).day == date(2026, 12, 2)
    assert PanelSchedule.from_json(schedule.as_json()) == schedule
    assert "every other Wednesday at 14:30, from 18 November 2026" in schedule.describe()


@pytest.mark.parametrize("word", ["saturday", "sun", "", "mo"])
def test_a_weekend_or_unclear_day_is_refused(word):
    with pytest.raises(ScheduleError):
        parse_weekday(word)


def test_a_time_that_is_not_hh_mm_is_refused():
    with pytest.raises(ScheduleError):
        parse_time("nine")


def _case(n: int, since: date, **fields) -> PanelCase:
    return PanelCase(f"CME-2026-{n:04d}", f"Child{n} Imaginary", "Oakwood Primary School (fictional)",
                     fields.pop("stage", "Enquiries under way"), since, fields.pop("opened_on", since), **fields)


def test_the_figures_the_panel_is_shown():
    cases = [_case(1, date(2026, 9, 7), overdue=("Day 20",)),
             _case(2, date(2026, 11, 9), stage="CME referral with the tracking officer"),
             _case(3, date(2026, 10, 1), opened_on=date(2026, 10, 2), closed_on=date(2026, 11, 10),
                   outcome="on_roll_elsewhere", outcome_label="On roll at another school"),
             _case(4, date(2026, 10, 1), closed_on=date(2026, 11, 12), outcome="removed_from_roll")]
    figures = panel_figures(cases, since=date(2026, 11, 2), on=date(2026, 11, 16))
    assert [c.reference for c in figures.open] == ["CME-2026-0001", "CME-2026-0002"]
    assert figures.by_stage == [("CME referral with the tracking officer", 1), ("Enquiries under way", 1)]
    assert [c.reference for c in figures.new] == ["CME-2026-0002"]
    assert [c.reference for c in figures.located] == ["CME-2026-0003"], "removal from roll does not locate a child"
    assert [(c.reference, weeks) for c, weeks in figures.longest] == [("CME-2026-0001", 10), ("CME-2026-0002", 1)]
    assert [c.reference for c in figures.overdue] == ["CME-2026-0001"]

    view = PanelView("Example Borough Council", figures, time(9, 0), date(2026, 11, 30))
    digest = str(copp_digest_card(view))
    assert "CME-2026-0001" in digest and "10 weeks" in digest and "Imaginary" not in digest
    assert "Oakwood" not in digest
    pack = str(copp_pack_card(view))
    assert "Child1 Imaginary" in pack and "Oakwood Primary School (fictional)" in pack
    assert problems(copp_digest_card(view)) == [] and problems(copp_pack_card(view)) == []


def test_names_on_the_pack_are_shown_as_typed_never_as_markup():
    case = _case(1, date(2026, 11, 2))
    hostile = PanelCase(case.reference, "[Click](https://evil.example) **Bold**", "<at>School</at>", case.stage,
                        case.missing_since, case.opened_on)
    pack = str(copp_pack_card(PanelView("Example", panel_figures([hostile], date(2026, 11, 2), date(2026, 11, 16)),
                                   time(9, 0))))
    assert "[Click](" not in pack and "**Bold**" not in pack and "<at>" not in pack
