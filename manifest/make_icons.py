"""Draw the Teams app icons (color.png 192x192, outline.png 32x32) with the standard library only.

The glyph is a magnifying glass with a child's head and shoulders in the lens.
Run: python manifest/make_icons.py   (writes the PNGs next to this file)
"""

from __future__ import annotations

import math
import struct
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
BLUE = (0x1F, 0x5C, 0x99)
WHITE = (255, 255, 255)
SUPERSAMPLE = 4


def write_png(path: Path, width: int, height: int, rows: list[list[tuple[int, int, int, int]]]) -> None:
    """Write 8-bit RGBA, filter 0 on every row."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + bytes(channel for pixel in row for channel in pixel) for row in rows)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )
    path.write_bytes(png)


# Shapes work in a unit square (0..1) so one drawing serves both sizes: each returns True if (x, y) is inside.
def disk(cx: float, cy: float, r: float):
    return lambda x, y: (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def ring(cx: float, cy: float, r_out: float, r_in: float):
    return lambda x, y: r_in * r_in <= (x - cx) ** 2 + (y - cy) ** 2 <= r_out * r_out


def capsule(x0: float, y0: float, x1: float, y1: float, half_width: float):
    dx, dy = x1 - x0, y1 - y0
    length2 = dx * dx + dy * dy

    def inside(x: float, y: float) -> bool:
        t = max(0.0, min(1.0, ((x - x0) * dx + (y - y0) * dy) / length2))
        return math.hypot(x - (x0 + t * dx), y - (y0 + t * dy)) <= half_width

    return inside


def rounded_square(margin: float, radius: float):
    lo, hi = margin + radius, 1 - margin - radius

    def inside(x: float, y: float) -> bool:
        nx, ny = min(max(x, lo), hi), min(max(y, lo), hi)
        return (x - nx) ** 2 + (y - ny) ** 2 <= radius * radius

    return inside


def clipped(shape, clip):
    return lambda x, y: shape(x, y) and clip(x, y)


def magnifier(scale: float) -> list:
    """The glyph; `scale` shrinks it around the centre (the color icon keeps it in the middle half)."""

    def at(v: float) -> float:
        return 0.5 + (v - 0.5) * scale

    cx, cy, r_out, r_in = at(0.42), at(0.42), 0.32 * scale, 0.22 * scale
    lens = disk(cx, cy, r_in)
    return [
        ring(cx, cy, r_out, r_in),
        capsule(at(0.66), at(0.66), at(0.88), at(0.88), 0.075 * scale),
        disk(cx, at(0.35), 0.075 * scale),
        clipped(disk(cx, at(0.60), 0.14 * scale), lens),
    ]


def coverage(shapes: list, size: int, px: int, py: int) -> float:
    hits = 0
    for sy in range(SUPERSAMPLE):
        for sx in range(SUPERSAMPLE):
            x = (px + (sx + 0.5) / SUPERSAMPLE) / size
            y = (py + (sy + 0.5) / SUPERSAMPLE) / size
            hits += any(shape(x, y) for shape in shapes)
    return hits / SUPERSAMPLE**2


def color_icon(size: int = 192) -> list[list[tuple[int, int, int, int]]]:
    background, glyph = [rounded_square(0.0, 0.18)], magnifier(0.62)
    rows = []
    for py in range(size):
        row = []
        for px in range(size):
            bg, fg = coverage(background, size, px, py), coverage(glyph, size, px, py)
            rgb = tuple(round(b + (w - b) * fg) for b, w in zip(BLUE, WHITE, strict=True))
            row.append((*rgb, round(255 * bg)))
        rows.append(row)
    return rows


def outline_icon(size: int = 32) -> list[list[tuple[int, int, int, int]]]:
    glyph = magnifier(1.0)
    return [
        [(*WHITE, round(255 * coverage(glyph, size, px, py))) for px in range(size)] for py in range(size)
    ]


def main() -> None:
    write_png(HERE / "color.png", 192, 192, color_icon())
    write_png(HERE / "outline.png", 32, 32, outline_icon())


if __name__ == "__main__":
    main()
