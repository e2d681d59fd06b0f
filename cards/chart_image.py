"""A bar chart as a small PNG (standard library only), for clients that do not draw Adaptive Cards' charts.

The image holds the bars only; the card's text beside it gives each bar's label and number.
"""

from __future__ import annotations

import base64
import struct
import zlib

BAR = (0x2E, 0x5C, 0xB8)  # the first series' blue
SECOND = (0xE0, 0x8A, 0x1E)  # the second series' orange
AXIS = (0x99, 0x99, 0x99)
BACKGROUND = (0xFF, 0xFF, 0xFF)
COLOURS = (BAR, SECOND)


def _png(width: int, height: int, rows: list[bytes]) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + row for row in rows)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def bar_chart_png(series: list[list[int]], *, width: int = 480, height: int = 140) -> bytes:
    """Bars side by side for each category, one colour a series (at most two); heights to the largest value."""
    categories = max((len(s) for s in series), default=0)
    top = max((v for s in series for v in s), default=0) or 1
    slot = width // max(categories, 1)
    bar = max(2, (slot * 2 // 3) // max(len(series), 1))
    columns = [BACKGROUND] * width
    heights = [0] * width
    for n, values in enumerate(series):
        for i, value in enumerate(values):
            left = i * slot + (slot - bar * len(series)) // 2 + n * bar
            for x in range(left, min(left + bar, width)):
                columns[x], heights[x] = COLOURS[n % len(COLOURS)], round((height - 4) * value / top)
    # Each row is the blank row with the bars that reach it cut in from the row every bar reaches.
    drawn, blank = b"".join(bytes(colour) for colour in columns), bytes(BACKGROUND) * width
    bars = [(left, x, heights[left]) for left, x in _runs(heights) if heights[left]]
    rows = []
    for from_bottom in range(height - 1, 0, -1):
        row = bytearray(blank)
        for left, right, reach in bars:
            if from_bottom <= reach:
                row[3 * left:3 * right] = drawn[3 * left:3 * right]
        rows.append(bytes(row))
    rows.append(bytes(AXIS) * width)
    return _png(width, height, rows)


def _runs(heights: list[int]) -> list[tuple[int, int]]:
    """(first, past last) of each run of columns of one height."""
    runs, left = [], 0
    for x in range(1, len(heights) + 1):
        if x == len(heights) or heights[x] != heights[left]:
            runs.append((left, x))
            left = x
    return runs


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
