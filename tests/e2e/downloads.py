"""**Download** on a card, end to end: the links card in the asker's personal chat, and its links fetched over HTTP
as a browser would (each works once: the second fetch is the refusal page)."""

from __future__ import annotations

import csv
import io

import aiohttp

from tests.e2e.patience import PATIENCE_S
from tests.e2e.playground import Playground, find_action
from tests.e2e.reporting import card_of, saying


async def download_links(playground: Playground, event: dict, what: str) -> tuple[str, str]:
    """Press Download on the card of `event` (in the personal chat); the links card titled 'Download: `what`'
    comes: its CSV and printable page addresses."""
    download = find_action(card_of(event), title="Download")
    assert download is not None, "no Download on the card"
    mark = playground.mark()
    await playground.submit(playground.personal_chat_id, event["message"]["messageId"], download["data"])
    links = await playground.expect(lambda ev: ev["actionConversationId"] == playground.personal_chat_id
                                    and saying(f"Download: {what}")(ev), since=mark, what="the links card")
    return (find_action(card_of(links), title="CSV (spreadsheet)")["url"],
            find_action(card_of(links), title="Printable page")["url"])


async def fetch(url: str) -> tuple[int, str]:
    """GET `url` once: the status and the body as text (a CSV's byte order mark dropped)."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=PATIENCE_S)) as session, \
            session.get(url) as response:
        return response.status, (await response.read()).decode("utf-8-sig")


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


async def fetched_once(url: str) -> tuple[str, str]:
    """The file's text, and the page the same link gives the second time (410, refused)."""
    status, text = await fetch(url)
    assert status == 200, text[:500]
    again, page = await fetch(url)
    assert again == 410 and "This link has been used" in page, page[:500]
    return text, page
