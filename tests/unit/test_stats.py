"""`stats`' arithmetic (months, median) and its card: chart elements for Teams, each with a drawn image fallback."""

from __future__ import annotations

import struct
import zlib
from datetime import date

import pytest

from cards.chart_image import AXIS, BACKGROUND, BAR, SECOND, bar_chart_png
from cards.stats import Chart, StatsView, stats_card, with_fallbacks
from cards.validate import problems
from cme.stats import first_month, month_label, months, weighted_median
from tests.unit.builders import card_text


def test_the_last_twelve_months_end_with_this_one_across_a_new_year():
    assert months(date(2027, 1, 15)) == [(2026, m) for m in range(2, 13)] + [(2027, 1)]
    assert first_month(date(2026, 12, 4)) == date(2026, 1, 1) and month_label(2026, 11) == "Nov 26"


@pytest.mark.parametrize("values, median", [
    ([], None), ([(7, 1)], 7), ([(3, 1), (5, 1)], 4), ([(3, 2), (10, 1)], 3), ([(10, 1), (2, 1), (4, 2)], 4),
    ([(1, 1), (9, 0)], 1)])
def test_the_median_counts_each_value_as_often_as_cases_share_it(values, median):
    assert weighted_median(values) == median


def image(png: bytes) -> list[list[tuple[int, int, int]]]:
    """The rows of a PNG as bar_chart_png writes it (8-bit RGB, filter 0 on every row), top first."""
    width, height = struct.unpack(">II", png[16:24])
    raw = zlib.decompress(png[png.index(b"IDAT") + 4:png.index(b"IEND") - 8])
    row = 1 + width * 3
    return [[tuple(raw[y * row + 1 + x * 3:y * row + 4 + x * 3]) for x in range(width)] for y in range(height)]


def pixels(png: bytes) -> set[tuple[int, int, int]]:
    return {pixel for row in image(png) for pixel in row}


def test_each_bar_rises_from_the_axis_in_proportion_to_its_value():
    rows = image(bar_chart_png([[4, 2, 0, 1], [0, 4, 0, 0]], width=40, height=14))
    assert set(rows[-1]) == {AXIS}
    tall = [sum(1 for row in rows[:-1] if row[x] != BACKGROUND) for x in range(40)]
    assert max(tall) == 10 and {tall[x] for x in range(40) if rows[-2][x] == BAR} == {10, 5, 2}
    assert {tall[x] for x in range(40) if rows[-2][x] == SECOND} == {10}
    assert tall[20:30] == [0] * 10  # the third category counts nothing


def test_the_image_draws_a_bar_in_each_series_colour_and_none_for_nothing():
    assert {BAR, SECOND} <= pixels(bar_chart_png([[1, 4], [2, 0]]))
    assert BAR not in pixels(bar_chart_png([[0, 0]]))


def a_view() -> StatsView:
    return StatsView("Example Borough Council", date(2026, 12, 4), 3, [
        Chart("Open cases by stage", "Chart.VerticalBar", [("Reported", 2), ("Enquiries under way", 1)]),
        Chart("Open cases by at-risk group", "Chart.HorizontalBar", []),
        Chart("Cases opened and closed, last 12 months", "Chart.VerticalBar.Grouped",
              [("Nov 26", 3), ("Dec 26", 1)], ("Opened", "Closed", [0, 2])),
    ], 12.5, 4)


def test_the_card_carries_chart_elements_with_images_as_fallback_and_the_numbers_in_words():
    built = stats_card(a_view())
    charts = [item for item in built["body"] if item["type"].startswith("Chart.")]
    assert [c["type"] for c in charts] == ["Chart.VerticalBar", "Chart.VerticalBar.Grouped"]
    assert charts[0]["data"] == [{"x": "Reported", "y": 2}, {"x": "Enquiries under way", "y": 1}]
    assert [s["legend"] for s in charts[1]["data"]] == ["Opened", "Closed"]
    assert all(c["fallback"]["items"][0]["url"].startswith("data:image/png;base64,") for c in charts)
    assert problems(with_fallbacks(built)) == []
    words = card_text(with_fallbacks(built))
    assert "Reported" in words and "Dec 26" in words and "1 opened, 2 closed" in words
    assert "Open cases by at-risk group" in words and "None." in words
    assert "Median school days to locate (Day 1 to the closing outcome): 12.5, over 4 children" in words
    assert len(str(built)) < 28_000, "within Teams' card size"
