"""The census end to end with `make run AS=tara`: Tara Tracker says `census` in her personal chat and the card counts
the demonstration's child out of provision (Pip Fictional-Demo: born May 2017, so Year 5 by the date of birth;
sex not recorded); **Download** gives the CSV, once, whose lines are the card's figures, line for line."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import E2E_TODAY
from tests.e2e.demo_run import demo_run
from tests.e2e.downloads import csv_rows, download_links, fetched_once
from tests.e2e.reporting import card_of
from tests.e2e.test_register import in_personal_chat

pytestmark = [pytest.mark.e2e]

AUTHORITY = "Example Borough Council"
TOTAL = "Children missing education on the census date: "
NOT_COUNTED = "On the register, not counted"


@pytest.fixture
async def tara(tmp_path):
    async with demo_run(tmp_path, "tara") as (_, people):
        yield people["tara"]


def figures(card: dict) -> tuple[int, list[tuple[str, str, int]], list[int]]:
    """The card's total; each measure's (measure, category, children) in order; the not counted figures."""
    total, lines, not_counted, measure = None, [], [], None
    for item in card["body"]:
        words = item.get("text", "")
        if item.get("type") == "TextBlock" and words.startswith(TOTAL):
            total = int(words.removeprefix(TOTAL))
        elif item.get("type") == "TextBlock" and str(item.get("weight")).lower() == "bolder":
            measure = words
        elif item.get("type") == "FactSet" and measure == NOT_COUNTED:
            not_counted = [int(fact["value"]) for fact in item["facts"]]
        elif item.get("type") == "FactSet":
            lines += [(measure, fact["title"], int(fact["value"])) for fact in item["facts"]]
    return total, lines, not_counted


async def test_tara_downloads_the_census_whose_lines_are_the_cards_counts(tara):
    mark = tara.mark()
    await tara.say(tara.personal_chat_id, "census")
    census = await in_personal_chat(tara, mark, f"CME census: {AUTHORITY}", "Tara's census card")
    total, lines, not_counted = figures(card_of(census))
    assert total == 1, "the demonstration's child out of provision"
    assert ("Year group", "Year 5", 1) in lines and ("Sex", "Not known", 1) in lines, lines
    assert sum(n for measure, _, n in lines if measure == "Year group") == 1
    assert "Pip" not in str(census) and "Fictional-Demo" not in str(census), "counts only"

    csv_url, _ = await download_links(tara, census, "The CME census")
    text, _ = await fetched_once(csv_url)
    rows = csv_rows(text)
    assert {(row["Authority"], row["Census date"]) for row in rows} == {(AUTHORITY, E2E_TODAY)}
    assert [(row["Measure"], row["Category"], int(row["Children"])) for row in rows] == [
        ("Total", "Children missing education", total), *lines,
        *(("Not counted", category, n) for category, n in zip(
            ("On a school's roll (enquiries under way)", "Outside compulsory school age"), not_counted, strict=True))]
    assert "Pip" not in text and "Fictional-Demo" not in text
