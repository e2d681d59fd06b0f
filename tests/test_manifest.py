"""The Teams app package: manifest valid against Microsoft's schema (offline), icons of the right shape."""

from __future__ import annotations

import json
import os
import struct
import zipfile
import zlib
from pathlib import Path

import jsonschema
import pytest
from referencing import Registry
from referencing.exceptions import NoSuchResource

from manifest.package import build_package, png_pixels, png_size, render_manifest

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SCHEMAS = REPO / ".tools/npm/node_modules/@microsoft/app-manifest/build/json-schemas/teams"
APP_ID = "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"
ARGS = {
    "version": "1.0.0",
    "privacy_url": "https://cme.example.org/privacy",
    "terms_url": "https://cme.example.org/terms",
    "website_url": "https://cme.example.org",
    "developer_name": "Example Council",
}


def _no_remote(uri: str):
    raise NoSuchResource(ref=uri)


def teams_schema(manifest_version: str) -> dict:
    root = Path(os.environ.get("CME_APP_MANIFEST_SCHEMAS") or DEFAULT_SCHEMAS)
    path = root / f"v{manifest_version}" / "MicrosoftTeams.schema.json"
    if not path.is_file():
        pytest.fail(
            f"Teams manifest schema not found at {path}: run `make test-deps` (npm @microsoft/app-manifest)"
        )
    return json.loads(path.read_text(encoding="utf-8-sig"))


@pytest.fixture(scope="module")
def package(tmp_path_factory) -> dict[str, bytes]:
    out = build_package(APP_ID, tmp_path_factory.mktemp("pkg") / "cme-bot.zip", **ARGS)
    with zipfile.ZipFile(out) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


@pytest.fixture(scope="module")
def manifest(package) -> dict:
    return json.loads(package["manifest.json"])


def test_zip_holds_the_three_files_at_its_root(package):
    assert sorted(package) == ["color.png", "manifest.json", "outline.png"]


def test_manifest_is_valid_against_microsoft_schema(manifest):
    assert manifest["manifestVersion"] == "1.19"
    schema = teams_schema(manifest["manifestVersion"])
    jsonschema.Draft4Validator.check_schema(schema)
    # Only "#/..." refs resolve; a remote one fails instead of being fetched.
    validator = jsonschema.Draft4Validator(schema, registry=Registry(retrieve=_no_remote))
    errors = [
        f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
        for e in validator.iter_errors(manifest)
    ]
    assert errors == []


def test_manifest_fields(manifest):
    assert manifest["id"] == APP_ID
    assert "{{" not in json.dumps(manifest)
    assert len(manifest["name"]["short"]) <= 30
    assert len(manifest["description"]["short"]) <= 80
    assert manifest["permissions"] == ["identity", "messageTeamMembers"]
    assert manifest["developer"]["privacyUrl"] == ARGS["privacy_url"]
    [bot] = manifest["bots"]
    assert bot["botId"] == APP_ID
    assert bot["scopes"] == ["personal", "team"]
    assert bot["supportsFiles"] is False and bot["isNotificationOnly"] is False
    lists = {tuple(cl["scopes"]): [c["title"] for c in cl["commands"]] for cl in bot["commandLists"]}
    assert set(lists) == {("personal",), ("team",)}
    for titles in lists.values():
        assert {"report", "help", "my cases", "case"} <= set(titles)
        assert len(titles) <= 10
    assert {"refer", "roles", "schools"} <= set(lists[("personal",)])
    assert "set reminders channel" in lists[("team",)]


def test_valid_domains_are_passed_through():
    assert render_manifest(APP_ID, **ARGS)["validDomains"] == []
    assert render_manifest(APP_ID, **ARGS, valid_domains=["cme.example.org"])["validDomains"] == [
        "cme.example.org"
    ]


def test_icon_sizes(package):
    assert png_size(package["color.png"]) == (192, 192)
    assert png_size(package["outline.png"]) == (32, 32)


def test_outline_icon_is_white_on_transparent(package):
    width, height, rows = png_pixels(package["outline.png"])
    assert (width, height) == (32, 32)
    pixels = [pixel for row in rows for pixel in row]
    not_white = [p for p in pixels if p[3] != 0 and p[:3] != (255, 255, 255)]
    assert not_white == []
    assert sum(p[3] == 255 for p in pixels) > 50
    for x, y in [(0, 0), (31, 0), (0, 31), (31, 31)]:
        assert rows[y][x][3] == 0


def _encode_png(rows: list[list[tuple[int, int, int, int]]], filters: list[int]) -> bytes:
    """An RGBA PNG whose row y uses filter type filters[y], to exercise every branch of the decoder."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    def paeth(a: int, b: int, c: int) -> int:
        p = a + b - c
        pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
        return a if pa <= pb and pa <= pc else b if pb <= pc else c

    raw, prev = b"", bytes(len(rows[0]) * 4)
    for row, ftype in zip(rows, filters, strict=True):
        line = bytes(v for pixel in row for v in pixel)
        predictors = []
        for i in range(len(line)):
            a, b, c = (line[i - 4] if i >= 4 else 0), prev[i], (prev[i - 4] if i >= 4 else 0)
            predictors.append([0, a, b, (a + b) // 2, paeth(a, b, c)][ftype])
        raw += bytes([ftype]) + bytes((v - p) & 0xFF for v, p in zip(line, predictors, strict=True))
        prev = line
    ihdr = struct.pack(">IIBBBBB", len(rows[0]), len(rows), 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    )


def test_png_pixels_reverses_every_filter():
    rows = [
        [
            ((x * 37 + y * 11) % 256, (x * y * 7) % 256, (200 - x * 13) % 256, (y * 50 + x) % 256)
            for x in range(5)
        ]
        for y in range(6)
    ]
    assert png_pixels(_encode_png(rows, [0, 1, 2, 3, 4, 4])) == (5, 6, rows)
    assert png_pixels(_encode_png(rows, [4, 3, 2, 1, 0, 3])) == (5, 6, rows)


@pytest.mark.parametrize("bad_id", ["not-a-guid", "", "6f1c2a3b4d5e4f608a7b9c0d1e2f3a4b", "{" + APP_ID + "}"])
def test_bad_app_id_is_refused(tmp_path, bad_id):
    with pytest.raises(ValueError, match="app_id must be a GUID"):
        build_package(bad_id, tmp_path / "x.zip", **ARGS)
    assert not (tmp_path / "x.zip").exists()


@pytest.mark.parametrize("field", ["privacy_url", "terms_url", "website_url"])
@pytest.mark.parametrize("url", ["http://cme.example.org/page", "cme.example.org", "", "https://"])
def test_non_https_url_is_refused(field, url):
    with pytest.raises(ValueError, match=f"{field} must be an https:// URL"):
        render_manifest(APP_ID, **{**ARGS, field: url})


def test_bad_version_is_refused():
    with pytest.raises(ValueError, match="version must be MAJOR.MINOR.PATCH"):
        render_manifest(APP_ID, **{**ARGS, "version": "1.0"})


def test_schema_check_is_not_vacuous(manifest):
    broken = {**manifest, "name": {"short": "x" * 31, "full": "x"}, "accentColor": "blue"}
    schema = teams_schema(manifest["manifestVersion"])
    validator = jsonschema.Draft4Validator(schema, registry=Registry(retrieve=_no_remote))
    assert {e.absolute_path[-1] for e in validator.iter_errors(broken)} == {"short", "accentColor"}
