"""The running app in development mode, on the scenarios' fictional schools and people."""

from __future__ import annotations

from tests.scenario.conftest import services, settings, teams  # noqa: F401 - fixtures used here too
