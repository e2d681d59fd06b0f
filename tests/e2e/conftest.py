from __future__ import annotations

import pytest

from tests.e2e.bot_process import ROOT, BotProcess
from tests.e2e.playground import Playground

PLAYGROUND_CONFIG = ROOT / "demo" / "playground.yml"
# A Monday in term at the fictional schools, so Day numbers in the tests do not depend on the clock.
E2E_TODAY = "2026-11-16"


@pytest.fixture(scope="session")
async def cme_bot(tmp_path_factory):
    bot = await BotProcess(tmp_path_factory.mktemp("e2e-bot"), env={"CME_TODAY": E2E_TODAY, "CME_SCHEDULER": "off"}).start()
    yield bot
    await bot.stop()


@pytest.fixture(scope="session")
async def playground(cme_bot):
    playground = await Playground(cme_bot.endpoint, PLAYGROUND_CONFIG).start()
    yield playground
    await playground.stop()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed end-to-end test shows the bot's own log too, next to the playground's."""
    outcome = yield
    report = outcome.get_result()
    bot = item.funcargs.get("cme_bot") if hasattr(item, "funcargs") else None
    if report.when == "call" and report.failed and bot is not None:
        report.sections.append(("cme-bot log (last 80 lines)", bot.log_tail(80)))
