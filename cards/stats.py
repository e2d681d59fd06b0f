"""`stats`: an authority's figures as charts, with the numbers in words. Counts only: no child is named.

Teams and the Agents Playground (0.2.28, as SVG) draw Adaptive Cards' chart elements (Chart.VerticalBar,
Chart.HorizontalBar, Chart.VerticalBar.Grouped); a client that does not (the open-source renderers, older Teams
mobile clients) draws each one's `fallback`: the same bars as a small PNG in a data: URI, made here. The facts
under each chart give every label and number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from adaptive_cards import card as ac

from cards.base import card, facts, heading, text
from cards.chart_image import bar_chart_png, data_uri
from cards.text import user_text

CHART_ID = "chart-"


@dataclass(frozen=True)
class Chart:
    title: str
    kind: str  # Chart.VerticalBar, Chart.HorizontalBar, Chart.VerticalBar.Grouped
    bars: list[tuple[str, int]]  # label, value (the first series)
    second: tuple[str, str, list[int]] | None = None  # (first series' legend, second's legend, values)


@dataclass(frozen=True)
class StatsView:
    authority: str
    today: date
    open_cases: int
    charts: list[Chart]
    median_days_to_locate: float | None
    located: int


def _element(chart: Chart) -> dict:
    if chart.second is None:
        return {"type": chart.kind, "title": chart.title, "colorSet": "categorical",
                "data": [{"x": label, "y": value} for label, value in chart.bars]}
    first, second, values = chart.second
    return {"type": chart.kind, "title": chart.title, "colorSet": "categorical", "data": [
        {"legend": first, "values": [{"x": label, "y": value} for label, value in chart.bars]},
        {"legend": second, "values": [{"x": label, "y": value} for (label, _), value in zip(chart.bars, values, strict=True)]}]}


def _fallback(n: int, chart: Chart):
    series = [[v for _, v in chart.bars]] + ([chart.second[2]] if chart.second else [])
    legend = f" ({chart.second[0]}: blue; {chart.second[1]}: orange)" if chart.second else ""
    return ac.Container(id=f"{CHART_ID}{n}", items=[
        ac.Image(url=data_uri(bar_chart_png(series)), alt_text=f"{chart.title}: bar chart{legend}", size="stretch"),
    ])


def _numbers(chart: Chart):
    if chart.second:
        return facts([(label, f"{value} {chart.second[0].lower()}, {other} {chart.second[1].lower()}")
                      for (label, value), other in zip(chart.bars, chart.second[2], strict=True)])
    return facts([(label, str(value)) for label, value in chart.bars])


def _section(n: int, chart: Chart) -> list:
    if not any(v for _, v in chart.bars) and not (chart.second and any(chart.second[2])):
        return [text(chart.title, bold=True), text("None.", subtle=True)]
    legend = f" ({chart.second[0]}: blue; {chart.second[1]}: orange)" if chart.second else ""
    return [text(chart.title + legend, bold=True), _fallback(n, chart), _numbers(chart)]


def stats_card(view: StatsView) -> dict:
    """The card as Teams gets it: each chart element with its image as the fallback."""
    body = [heading(f"Statistics: {user_text(view.authority)}"),
            text(f"As of {view.today:%A %-d %B %Y}. Open cases: {view.open_cases}. Counts only: no child is named.",
                 subtle=True)]
    for n, chart in enumerate(view.charts):
        body += _section(n, chart)
    if view.median_days_to_locate is None:
        body.append(text("Median school days to locate: no child located in the last 12 months.", bold=True))
    else:
        body.append(text(f"Median school days to locate (Day 1 to the closing outcome): "
                         f"{view.median_days_to_locate:g}, over {view.located} children located in the last 12 "
                         "months.", bold=True))
    built = card(body)
    built["body"] = [_with_chart(item, view.charts) for item in built["body"]]
    return built


def _with_chart(item: dict, charts: list[Chart]) -> dict:
    """A chart's image container becomes the chart element, the image its fallback."""
    if item.get("type") != "Container" or not str(item.get("id", "")).startswith(CHART_ID):
        return item
    chart = charts[int(item["id"].removeprefix(CHART_ID))]
    return {**_element(chart), "id": item["id"], "fallback": {k: v for k, v in item.items() if k != "id"}}


def with_fallbacks(built: dict) -> dict:
    """The card as a client that draws no charts shows it (what the validator can check)."""
    return {**built, "body": [item["fallback"] if str(item.get("type", "")).startswith("Chart.") else item
                              for item in built["body"]]}
