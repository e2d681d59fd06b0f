"""The arrows of docs/ARCHITECTURE.md: bot -> cards, storage, cme; cards -> cme; storage -> cme; cme -> nothing."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = {
    "cme": {"bot", "storage", "cards", "manifest", "botbuilder", "botframework", "sqlalchemy", "aiohttp", "alembic"},
    "cards": {"bot", "storage", "botbuilder", "botframework", "sqlalchemy", "aiohttp"},
    "storage": {"bot", "cards", "botbuilder", "botframework", "aiohttp"},
    "manifest": {"bot", "storage", "cards", "botbuilder", "sqlalchemy", "aiohttp"},
}


def imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_point_one_way(package):
    for path in (ROOT / package).rglob("*.py"):
        wrong = imports(path) & FORBIDDEN[package]
        assert not wrong, f"{path.relative_to(ROOT)} imports {sorted(wrong)}"


def test_only_one_module_imports_botbuilder():
    users = sorted(str(path.relative_to(ROOT)) for package in ("bot", "cards", "cme", "storage", "manifest")
                   for path in (ROOT / package).rglob("*.py")
                   if imports(path) & {"botbuilder", "botframework", "msrest"})
    assert users and all(user.startswith("bot/teams/") for user in users), users
