"""The register downloaded from its card (issue 17 item 4): **Download** answers in the officer's personal chat with
two links (CSV, printable page) that work once, for minutes, with the card's filters; a channel, a group chat or
someone without the officer's role gets no link (today is Monday 16 November 2026)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from urllib.parse import urlsplit

from sqlalchemy import func, select

from bot.exports.web import serve_export
from storage.models import ExportLinkRow
from storage.types import utcnow
from tests.scenario.cards import actions_of, press
from tests.scenario.connector import card_text
from tests.scenario.teams import REMINDERS, SAM, TARA, TEAM
from tests.scenario.test_my_cases import add


def _links(card: dict) -> dict[str, str]:
    return {action["title"]: action["url"] for action in card.get("actions", []) if action["type"] == "Action.OpenUrl"}


async def _download(teams, connector, register_card: dict, user=TARA) -> dict[str, str]:
    mark = connector.mark()
    await teams.submit(user, press(register_card, "Download"))
    answers = [sent for sent in connector.since(mark) if sent.cards]
    assert len(answers) == 1 and answers[0].conversation_id.split(";")[0] == user.personal_chat
    words = card_text(answers[0].card)
    assert "Download: The register" in words and "Each link works once, for you, for 5 minutes" in words
    assert "/exports/" not in answers[0].text  # in buttons only: no link preview fetches (and spends) it
    return _links(answers[0].card)


async def _get(teams, url: str):
    response = await teams.client.get(urlsplit(url).path)
    return response, await response.text()


async def _links_stored(store) -> int:
    async with store.engine.connect() as connection:
        return (await connection.execute(select(func.count()).select_from(ExportLinkRow))).scalar_one()


async def test_the_register_downloads_once_as_a_printable_page_and_as_csv(teams, connector, services, store):
    await add(services, "900001", "Ada", date(2026, 10, 5))
    await add(services, "900002", "=HYPERLINK(1)", date(2026, 11, 9))
    await teams.say(TARA, "register")
    register = connector.to(TARA.personal_chat)[-1].card
    assert "Download" in actions_of(register)

    links = await _download(teams, connector, register)
    assert set(links) == {"CSV (spreadsheet)", "Printable page"}
    assert all(url.startswith("http://localhost:3978/exports/") for url in links.values())

    page, html = await _get(teams, links["Printable page"])
    assert page.status == 200 and page.content_type == "text/html"
    assert page.headers["Cache-Control"].startswith("no-store") and page.headers["Referrer-Policy"] == "no-referrer"
    assert "Register: Example Borough Council" in html and "Asked for by Tara Tracker on " in html
    assert "Ada Listexample" in html and "=HYPERLINK(1) Listexample" in html
    assert html.index("Ada Listexample") < html.index("=HYPERLINK(1)")  # longest missing first
    again, html = await _get(teams, links["Printable page"])
    assert again.status == 410 and "This link has been used" in html and "Ask the bot for a new link" in html
    assert "Ada" not in html

    spreadsheet, text = await _get(teams, links["CSV (spreadsheet)"])
    assert spreadsheet.status == 200 and spreadsheet.content_type == "text/csv"
    assert spreadsheet.headers["Content-Disposition"] == 'attachment; filename="register-2026-11-16.csv"'
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:4] == ["Reference", "Name", "Date of birth", "School"]
    assert [row[1] for row in rows[1:]] == ["Ada Listexample", "'=HYPERLINK(1) Listexample"]
    assert (await _get(teams, links["CSV (spreadsheet)"]))[0].status == 410


async def test_the_download_keeps_the_cards_filters(teams, connector, services, store):
    await add(services, "900001", "Ada", date(2026, 10, 5))
    await add(services, "900002", "Bea", date(2026, 11, 9))
    riverside = await store.schools.by_urn("900002")
    await teams.say(TARA, "register")
    await teams.submit(TARA, press(connector.to(TARA.personal_chat)[-1].card, "Apply", school=str(riverside.id)))
    filtered = connector.to(TARA.personal_chat)[-1].card
    _, html = await _get(teams, (await _download(teams, connector, filtered))["Printable page"])
    assert "Bea Listexample" in html and "Ada Listexample" not in html
    assert "Filters: Riverside Academy (fictional)" in html


async def test_no_link_in_a_channel_nor_for_someone_without_the_role(teams, connector, services, store):
    await add(services, "900001", "Ada", date(2026, 10, 5))
    download = {"verb": "export.offer", "kind": "register"}
    mark = connector.mark()
    await teams.submit(TARA, download, channel=TEAM)
    await teams.submit(TARA, download, channel=REMINDERS)
    await teams.submit(SAM, download)  # school staff: not the register's
    sent = connector.since(mark)
    assert not any("/exports/" in json.dumps(s.body) for s in sent)
    assert "not yours to download" in " ".join(s.text + card_text(s.cards) for s in connector.to(SAM.personal_chat))
    assert await _links_stored(store) == 0


async def test_an_expired_or_unknown_link_says_so(teams, connector, services, store):
    await add(services, "900001", "Ada", date(2026, 10, 5))
    await teams.say(TARA, "register")
    links = await _download(teams, connector, connector.to(TARA.personal_chat)[-1].card)
    name = urlsplit(links["Printable page"]).path.rsplit("/", 1)[1]
    late = await serve_export(services, name, utcnow() + timedelta(minutes=5, seconds=1))
    assert late.status == 410 and "This link has expired" in late.text and "Ada" not in late.text
    unknown, html = await _get(teams, "/exports/" + "x" * 43 + ".html")
    assert unknown.status == 404 and "No such download" in html
    assert (await _get(teams, "/exports/nonsense"))[0].status == 404
