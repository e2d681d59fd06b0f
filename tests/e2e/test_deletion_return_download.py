"""The deletion returns downloaded, end to end with `make run AS=tara,sam`: after Sam Staff sends a deletion return
and Tara Tracker acknowledges it (test_deletion_return.py, step for step), Tara's `deletion returns` card lists it as
acknowledged, and **Download** there gives the CSV, once, holding the return's row: acknowledged, by her, with what
Sam sent."""

from __future__ import annotations

import re

import pytest

from tests.e2e.downloads import csv_rows, download_links, fetched_once
from tests.e2e.playground import card_text
from tests.e2e.reporting import card_of
from tests.e2e.test_deletion_return import (
    test_sam_sends_the_deletion_return_and_tara_acknowledges_it as sent_and_acknowledged,
)
from tests.e2e.test_each_person import tara_and_sam  # noqa: F401 - the fixture
from tests.e2e.test_register import in_personal_chat

pytestmark = [pytest.mark.e2e]


async def test_tara_downloads_the_deletion_returns_with_the_acknowledged_return(tara_and_sam):  # noqa: F811
    tara, sam = tara_and_sam
    await sent_and_acknowledged((tara, sam))

    mark = tara.mark()
    await tara.say(tara.personal_chat_id, "deletion returns")
    listed = await in_personal_chat(tara, mark, "Acknowledged lately", "Tara's deletion returns")
    words = card_text(card_of(listed))
    line = re.search(r"\*\*(DR-[^*]+)\*\* Dara Fictional-Typed, .*Acknowledged .* by Tara Tracker\.", words)
    assert line, words
    reference = line[1]

    csv_url, _ = await download_links(tara, listed, "Deletion returns")
    text, refused = await fetched_once(csv_url)
    rows = [row for row in csv_rows(text) if row["Reference"] == reference]
    assert len(rows) == 1, text
    row = rows[0]
    assert row["Status"] == "acknowledged" and row["Acknowledged by"] == "Tara Tracker" and row["Acknowledged on"]
    assert (row["Forename"], row["Surname"], row["Sent by"]) == ("Dara", "Fictional-Typed", "Sam Staff")
    assert row["Parent 1 emergency telephone"] == "07700 900222" and row["Case"].startswith("CME-")
    assert "Dara" not in refused
