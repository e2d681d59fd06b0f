"""`stats` in the playground's web page, as Tara Tracker (tracking officer, Example Borough): the charts are drawn.

The playground (0.2.28) draws Adaptive Cards' chart elements itself, as SVG in its own colours, as Teams does; a
client that does not shows each one's fallback image (cards/chart_image.py). Either way the screenshot of the
chart must hold bar-coloured (saturated) pixels, which neither text nor the card's greys and white have."""

from __future__ import annotations

import struct
import zlib

import pytest

from tests.e2e.browser import last_card, open_conversation, open_playground_page, screenshot, send_text
from tests.e2e.own_bot import own_bot

pytestmark = [pytest.mark.e2e]


@pytest.fixture
async def tara(tmp_path):
    async with own_bot(tmp_path, "Tara Tracker", "Chartexample", risk_groups=("runaways",)) as playground:
        yield playground


def _unfilter(raw: bytes, width: int, height: int, bpp: int) -> list[bytearray]:
    """PNG rows without their filters (None, Sub, Up, Average, Paeth)."""
    stride, rows, previous, at = width * bpp, [], bytearray(width * bpp), 0
    for _ in range(height):
        kind, line = raw[at], bytearray(raw[at + 1:at + 1 + stride])
        at += 1 + stride
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = previous[i], previous[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + b) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        rows.append(line)
        previous = line
    return rows


def bar_pixels(png: bytes, chroma: int = 80) -> int:
    """How many pixels of a screenshot (8-bit RGB or RGBA) are strongly coloured (max - min channel >= chroma)."""
    width, height, depth, kind = struct.unpack(">IIBB", png[16:26])
    assert depth == 8 and kind in (2, 6), "an 8-bit RGB(A) screenshot"
    data, at = b"", 8
    while at < len(png):
        length, chunk = struct.unpack(">I4s", png[at:at + 8])
        if chunk == b"IDAT":
            data += png[at + 8:at + 8 + length]
        at += 12 + length
    bpp = 3 if kind == 2 else 4
    return sum(1 for row in _unfilter(zlib.decompress(data), width, height, bpp) for x in range(0, len(row), bpp)
               if max(row[x:x + 3]) - min(row[x:x + 3]) >= chroma)


async def test_tara_asks_for_stats_and_the_charts_are_drawn(tara):
    async with open_playground_page(tara.url) as page:
        await open_conversation(page, "Personal Chat")
        await send_text(page, "stats")
        card = await last_card(page, has_text="Statistics: Example Borough Council")
        drawn = card.locator("svg, img")
        await drawn.first.wait_for()
        await screenshot(page, "stats-card")
        assert await drawn.count() >= 2, "the stages and the weeks missing at least"
        shot = await drawn.first.screenshot()
        assert bar_pixels(shot) > 500, "the stages' bars are drawn"
        assert bar_pixels(await card.locator("text=Median school days").screenshot()) == 0, "text is not a bar"
