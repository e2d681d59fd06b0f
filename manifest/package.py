"""Build the Teams app package: manifest.json, color.png and outline.png at the root of a zip.

Standard library only, so the package can be built without the bot's runtime dependencies.
"""

from __future__ import annotations

import json
import pathlib
import re
import struct
import zipfile
import zlib
from urllib.parse import urlsplit

HERE = pathlib.Path(__file__).resolve().parent
TEMPLATE = HERE / "manifest.template.json"
ICONS = {"color.png": (192, 192), "outline.png": (32, 32)}

GUID_RE = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
SEMVER_RE = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")
PLACEHOLDER_RE = re.compile(r"\{\{([A-Z_]+)\}\}")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _check_https(name: str, url: str) -> None:
    parts = urlsplit(url or "")
    if parts.scheme != "https" or not parts.netloc:
        raise ValueError(f"{name} must be an https:// URL (Teams rejects anything else), got {url!r}")


def _substitute(node, values: dict[str, str]):
    if isinstance(node, dict):
        return {key: _substitute(value, values) for key, value in node.items()}
    if isinstance(node, list):
        return [_substitute(item, values) for item in node]
    if isinstance(node, str):
        return PLACEHOLDER_RE.sub(lambda m: values[m.group(1)], node)
    return node


def render_manifest(
    app_id: str,
    *,
    version: str,
    privacy_url: str,
    terms_url: str,
    website_url: str,
    developer_name: str,
    valid_domains: list[str] | None = None,
) -> dict:
    """The manifest as a dict; the app id is also the bot id (the bot's Microsoft App ID)."""
    if not isinstance(app_id, str) or not GUID_RE.match(app_id):
        raise ValueError(
            f"app_id must be a GUID such as 00000000-0000-0000-0000-000000000000 "
            f"(the bot's Microsoft App ID), got {app_id!r}"
        )
    if not SEMVER_RE.match(version or ""):
        raise ValueError(f"version must be MAJOR.MINOR.PATCH, e.g. 1.0.0, got {version!r}")
    for name, url in (("privacy_url", privacy_url), ("terms_url", terms_url), ("website_url", website_url)):
        _check_https(name, url)
    if not developer_name or len(developer_name) > 32:
        raise ValueError(f"developer_name must be 1 to 32 characters, got {developer_name!r}")
    for domain in valid_domains or []:
        if not domain or "/" in domain:
            raise ValueError(f"valid_domains entries are host names without scheme or path, got {domain!r}")

    template = json.loads(TEMPLATE.read_text(encoding="utf-8"))
    manifest = _substitute(
        template,
        {
            "APP_ID": app_id.lower(),
            "VERSION": version,
            "PRIVACY_URL": privacy_url,
            "TERMS_URL": terms_url,
            "WEBSITE_URL": website_url,
            "DEVELOPER_NAME": developer_name,
        },
    )
    manifest["validDomains"] = list(valid_domains or [])
    return manifest


def build_package(app_id: str, out_path: pathlib.Path, **details) -> pathlib.Path:
    """Write the zip that a Teams admin uploads, `details` as render_manifest takes them; returns its path."""
    manifest = render_manifest(app_id, **details)
    files = {"manifest.json": json.dumps(manifest, indent=2, ensure_ascii=False).encode("utf-8")}
    for name, size in ICONS.items():
        data = (HERE / name).read_bytes()
        if png_size(data) != size:
            raise ValueError(f"{name} must be {size[0]}x{size[1]}; run python manifest/make_icons.py")
        files[name] = data

    out_path = pathlib.Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out_path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            # A fixed timestamp keeps the zip byte-identical for the same inputs.
            zf.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
    return out_path


def _chunks(data: bytes):
    if not data.startswith(PNG_SIGNATURE):
        raise ValueError("not a PNG file")
    pos = len(PNG_SIGNATURE)
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        yield kind, data[pos + 8 : pos + 8 + length]
        pos += 12 + length


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) from the IHDR chunk."""
    kind, ihdr = next(_chunks(data))
    if kind != b"IHDR":
        raise ValueError("PNG does not start with IHDR")
    return struct.unpack(">II", ihdr[:8])


def png_pixels(data: bytes) -> tuple[int, int, list[list[tuple[int, int, int, int]]]]:
    """Decode an 8-bit RGBA, non-interlaced PNG into (width, height, rows of RGBA tuples)."""
    chunks = list(_chunks(data))
    width, height, depth, colour_type, _, _, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    if (depth, colour_type, interlace) != (8, 6, 0):
        raise ValueError(f"only 8-bit RGBA non-interlaced PNGs are supported, got {depth=} {colour_type=}")
    raw = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    bpp, stride = 4, width * 4
    rows: list[list[tuple[int, int, int, int]]] = []
    prev = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        filter_type, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if filter_type == 1:
                line[i] = (line[i] + a) & 0xFF
            elif filter_type == 2:
                line[i] = (line[i] + b) & 0xFF
            elif filter_type == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif filter_type == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                predictor = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + predictor) & 0xFF
            elif filter_type != 0:
                raise ValueError(f"unknown PNG filter type {filter_type} in row {y}")
        rows.append([tuple(line[x : x + 4]) for x in range(0, stride, 4)])
        prev = line
    return width, height, rows
