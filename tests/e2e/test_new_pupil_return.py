"""Expected starters end to end with `make run AS=tara,sam` (the bot's day is Monday 16 November 2026):

- Sam Staff records an expected starter on the card, finds them on `expected starters` and presses **Arrived**: Tara
  Tracker gets the new pupil return, named, in her personal chat; the authority's channel a line by reference only.
  **Download** on Sam's list gives links: the CSV holds the pupil's row, once; the link again is refused (410).
- A starter agreed for Monday 2 November has not arrived 5 school days on: the daily run posts a card by reference in
  the school's reminders channel; Sam's press there makes the CME case (the card says so in place, a second press
  makes nothing twice) and his `my cases` lists it."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys

import pytest

from tests.e2e.bot_process import ROOT
from tests.e2e.conftest import E2E_TODAY
from tests.e2e.demo_run import demo_run
from tests.e2e.downloads import csv_rows, download_links, fetched_once
from tests.e2e.playground import card_text, find_action
from tests.e2e.reporting import card_of, saying
from tests.e2e.test_register import in_personal_chat

pytestmark = [pytest.mark.e2e]

STARTER = {"forename": "Nia", "surname": "Fictional-Starter", "date_of_birth": "2015-03-03", "year_group": "Year 6",
           "first_day": E2E_TODAY, "carer_name": "Lou Fictional-Starter", "carer_phone": "07700 900333"}
ARRIVAL = {"arrived_on": E2E_TODAY, "address": "3 Imaginary Lane, Exampleton", "postcode": "ZZ99 3ZZ",
           "previous_school": "Pretend Primary (fictional)"}
NOT_ARRIVED = {**STARTER, "forename": "Noor", "surname": "Fictional-Absent", "first_day": "2026-11-02"}
REFERENCE = re.compile(r"Saved: (NS-\d+)")


@pytest.fixture(scope="module")
async def run_and_people(tmp_path_factory):
    async with demo_run(tmp_path_factory.mktemp("starters"), "tara,sam") as (run, people):
        yield run, people


async def expect_starter(sam, pupil: dict) -> str:
    """Sam fills the expected starter card: the starter's reference."""
    mark = sam.mark()
    await sam.say(sam.personal_chat_id, "expected starter")
    form = await in_personal_chat(sam, mark, "An expected starter", "the expected starter card")
    save = find_action(card_of(form), title="Save expected starter")
    mark = sam.mark()
    await sam.submit(sam.personal_chat_id, form["message"]["messageId"], {**save["data"], **pupil})
    saved = await sam.expect(lambda ev: ev["message"]["messageId"] == form["message"]["messageId"]
                             and saying("Saved: NS-")(ev), since=mark, what="the card, saved")
    text = card_text(card_of(saved))
    assert f"{pupil['forename']} {pupil['surname']}" in text, text
    return REFERENCE.search(text)[1]


async def starters_list(sam) -> dict:
    mark = sam.mark()
    await sam.say(sam.personal_chat_id, "expected starters")
    return await in_personal_chat(sam, mark, "Expected starters", "Sam's expected starters")


def line_of(card: dict, reference: str) -> dict:
    """The list's line (a ColumnSet) of the starter `reference`."""
    return next(item for item in card["body"] if item.get("type") == "ColumnSet" and reference in card_text(item))


async def test_arrived_sends_tara_the_new_pupil_return_and_the_list_downloads_once(run_and_people):
    _, people = run_and_people
    tara, sam = people["tara"], people["sam"]
    reference = await expect_starter(sam, STARTER)
    listed = await starters_list(sam)
    line = line_of(card_of(listed), reference)
    assert "Nia Fictional-Starter" in card_text(line) and "Expected" in card_text(line)

    send = find_action(line, title="Send the new pupil return")
    mark, tara_mark = sam.mark(), tara.mark()
    await sam.submit(sam.personal_chat_id, listed["message"]["messageId"], {**send["data"], **ARRIVAL})
    await sam.expect(lambda ev: ev["message"]["messageId"] == listed["message"]["messageId"]
                     and saying(f"{reference} arrived: the new pupil return went to the local authority")(ev),
                     since=mark, what="Sam's list, the return sent")
    hers = await in_personal_chat(tara, tara_mark, f"New pupil return: {reference}", "the return in Tara's chat")
    words = card_text(card_of(hers))
    for said in ("Nia Fictional-Starter", "3 Imaginary Lane, Exampleton, ZZ99 3ZZ", "Pretend Primary (fictional)",
                 "Arrived on 16 November 2026", "Recorded by Sam Staff"):
        assert said in words, words
    line = await tara.expect(lambda ev: ev["actionConversationId"] != tara.personal_chat_id
                             and saying(reference)(ev), since=tara_mark, what="the line in the authority's channel")
    assert line["actionConversationId"].startswith(tara.team_id), line["actionConversationId"]
    assert "New pupil return" in card_text(card_of(line))
    for private in ("Nia", "Fictional-Starter", "Imaginary", "ZZ99", "Pretend Primary"):
        assert private not in str(line), private

    listed = await starters_list(sam)
    assert "Arrived 16 November 2026: new pupil return made" in card_text(line_of(card_of(listed), reference))
    csv_url, _ = await download_links(sam, listed, "New pupil returns and expected starters")
    text, refused = await fetched_once(csv_url)
    row = next(row for row in csv_rows(text) if row["Reference"] == reference)
    assert row == {**row, "Forename": "Nia", "Surname": "Fictional-Starter", "Date of birth": "2015-03-03",
                   "Agreed first day": E2E_TODAY, "Status": "arrived: new pupil return made",
                   "Arrived on": E2E_TODAY, "Address": "3 Imaginary Lane, Exampleton", "Postcode": "ZZ99 3ZZ",
                   "Previous school": "Pretend Primary (fictional)", "Not arrived from": "", "CME case": ""}
    assert "Fictional-Starter" not in refused


def remind(run) -> str:
    """The daily job's run by hand on the bot's day (CME_TODAY), as an operator runs it: its report."""
    done = subprocess.run([sys.executable, "-m", "bot.ops.cli", "remind"], cwd=ROOT, capture_output=True, text=True,
                          env={**run.env, "CME_ENV": "development"}, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


async def test_a_starter_not_arrived_becomes_a_case_from_the_reminders_channel_once(run_and_people):
    run, people = run_and_people
    tara, sam = people["tara"], people["sam"]
    reference = await expect_starter(sam, NOT_ARRIVED)

    mark = tara.mark()
    report = await asyncio.to_thread(remind, run)
    assert reference in report, report
    post = await tara.expect(saying(f"Not arrived: {reference}"), since=mark, what="the non-arrival card")
    assert post["actionConversationId"].startswith(tara.channel_id("CME reminders"))
    assert "Late: this was due on Monday 9 November 2026." in card_text(card_of(post))
    for private in ("Noor", "Fictional-Absent"):
        assert private not in str(post), private

    make = find_action(card_of(post), title="Make it a CME case")
    thread, card_id, sam_id = post["message"]["postConversationId"], post["message"]["messageId"], tara.user_id("Sam")
    mark, sam_mark = tara.mark(), sam.mark()
    answer = await tara.invoke(thread, card_id, make["verb"], make["data"], from_id=sam_id, title=make["title"])
    words = card_text(answer["value"])
    case = re.search(r"Made CME case (CME-\d{4}-\d+) by Sam Staff\.", words)
    assert case, words
    case = case[1]
    assert find_action(answer["value"], title="Make it a CME case") is None and "Noor" not in str(answer)
    card = await in_personal_chat(sam, sam_mark, f"Made CME case {case}", "the case card in Sam's chat")
    assert "Noor Fictional-Absent" in card_text(card_of(card))

    again = await tara.invoke(thread, card_id, make["verb"], make["data"], from_id=sam_id, title=make["title"])
    assert f"Already CME case {case}: nothing was made twice." in card_text(again["value"])
    mark = sam.mark()
    await sam.say(sam.personal_chat_id, "my cases")
    mine = await in_personal_chat(sam, mark, case, "Sam's cases")
    assert "Noor Fictional-Absent" in card_text(card_of(mine))
    assert len(sam.events_since(sam_mark, saying(f"Made CME case {case}"))) == 1, "made once, told once"
