"""The register downloaded in Chromium, as Tara Tracker in her playground: **Download** on her register card gives
the links card; the printable page opens with her two children and prints without its hints; the same link opened
again is refused with the page saying to ask the bot for a new one; the CSV link downloads once."""

from __future__ import annotations

import pytest

from tests.e2e.browser import (
    click_card_button,
    last_card,
    open_conversation,
    open_playground_page,
    screenshot,
    send_text,
)
from tests.e2e.own_bot import own_bot

pytestmark = [pytest.mark.e2e]


@pytest.fixture
async def tara(tmp_path):
    async with own_bot(tmp_path, "Tara Tracker", "Printexample") as playground:
        yield playground


async def _opened(page, links, title: str):
    """The tab the links card's button opens (an Action.OpenUrl: the playground draws a role=link button whose
    title is the address), and that address."""
    button = links.get_by_role("link", name=title, exact=True)
    address = await button.get_attribute("title")
    assert "/exports/" in address
    async with page.context.expect_page() as opened:
        await button.click()
    return await opened.value, address


async def test_tara_downloads_her_register_once_and_the_second_time_is_refused(tara):
    async with open_playground_page(tara.url) as page:
        await open_conversation(page, "Personal Chat")
        await send_text(page, "register")
        register = await last_card(page, has_text="Register: Example Borough Council")
        await click_card_button(register, "Download")
        links = await last_card(page, has_text="Download: The register")
        await screenshot(page, "export-links-card")

        printable, address = await _opened(page, links, "Printable page")
        await printable.wait_for_load_state()
        assert printable.url == address and address.endswith(".html")
        assert await printable.locator("h1").inner_text() == "Register: Example Borough Council"
        rows = printable.locator("tbody tr")
        assert await rows.count() == 2
        assert "Birch Printexample" in await rows.nth(0).inner_text()  # longest missing first
        assert "Ash Printexample" in await rows.nth(1).inner_text()
        assert "Asked for by Tara Tracker" in await printable.locator(".who").inner_text()
        await printable.emulate_media(media="print")
        assert not await printable.locator(".hint").is_visible(), "the screen's hints are not printed"
        assert await printable.locator("thead").evaluate("e => getComputedStyle(e).display") == "table-header-group"
        await screenshot(printable, "export-printable-page")
        assert len(await printable.pdf(format="A4", landscape=True)) > 1000

        again = await page.context.new_page()
        refused = await again.goto(address)
        assert refused.status == 410
        assert await again.locator("h1").inner_text() == "This link has been used"
        assert "Ask the bot for a new link" in await again.locator("body").inner_text()
        assert "Printexample" not in await again.content()
        await screenshot(again, "export-refused-page")

        async with page.expect_download() as downloading:
            _, address = await _opened(page, links, "CSV (spreadsheet)")
        download = await downloading.value
        assert download.suggested_filename == "register-2026-11-16.csv"
        text = open(await download.path(), encoding="utf-8-sig").read()
        assert text.splitlines()[1].split(",")[1] == "Birch Printexample"
        second = await page.context.new_page()
        assert (await second.goto(address)).status == 410
