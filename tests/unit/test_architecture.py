"""The arrows of docs/ARCHITECTURE.md: bot -> cards, storage, cme; cards -> cme; storage -> cme; cme -> nothing."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# The procedure core is pure: the standard library, less the modules that reach files, processes or the
# network, and England's bank holidays; nothing of ours but itself.
IO = {"os", "io", "pathlib", "shutil", "glob", "tempfile", "socket", "ssl", "http", "urllib", "subprocess",
      "asyncio", "sqlite3"}
CME_MAY_IMPORT = (set(sys.stdlib_module_names) - IO) | {"holidays", "cme"}
FORBIDDEN = {
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


def test_the_procedure_core_imports_only_the_standard_library_and_holidays():
    for path in (ROOT / "cme").rglob("*.py"):
        wrong = imports(path) - CME_MAY_IMPORT
        assert not wrong, f"{path.relative_to(ROOT)} imports {sorted(wrong)}: cme/ may import only the standard " \
                          "library (no file, network or database access) and holidays"
        assert "open" not in calls(path), f"{path.relative_to(ROOT)} opens a file: reading files belongs in bot/"


def calls(path: Path) -> set[str]:
    return {node.func.id for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}


def test_only_one_module_imports_botbuilder():
    users = sorted(str(path.relative_to(ROOT)) for package in ("bot", "cards", "cme", "storage", "manifest")
                   for path in (ROOT / package).rglob("*.py")
                   if imports(path) & {"botbuilder", "botframework", "msrest"})
    assert users and all(user.startswith("bot/teams/") for user in users), users
