"""A report submit that creates a case sends its card without reading back what it has just written: no read of the
new case's history, milestones or openings (3 statements fewer than before on both databases)."""

from __future__ import annotations

from bench.profile_submit import StatementLog
from tests.scenario.cards import press
from tests.scenario.connector import card_text
from tests.scenario.teams import SAM
from tests.scenario.test_report import ABSENCE, NO_RISK, PUPIL, open_form, step, the_case_card

READ_BACK = ("FROM case_events", "FROM milestones", "FROM case_views")


async def submit_counted(teams, connector, store, database_url) -> tuple[StatementLog, str]:
    log = StatementLog()
    if not database_url.startswith("postgresql"):
        await store.engine.dispose()  # the trace is set on the next connection SQLite's pool opens
        log.sqlite(store.engine)
    form = await open_form(teams, connector)
    form = await step(teams, connector, SAM, form, "Next", **PUPIL)
    form = await step(teams, connector, SAM, form, "Next", **ABSENCE)
    value = press(form.card, "Submit report", **NO_RISK)
    mark = connector.mark()
    with log.asyncpg():
        log.recording = True
        await teams.submit(SAM, value, reply_to=form.activity_id)
        log.recording = False
    shown = card_text(the_case_card(connector.since(mark)).card)
    await teams.submit(SAM, value, reply_to=form.activity_id)  # a double click
    return log, shown


async def test_a_submit_does_not_read_back_the_case_it_created(teams, connector, store, database_url):
    log, shown = await submit_counted(teams, connector, store, database_url)
    assert "Reported as CME-2026-0001" in shown and "Sam: " in shown  # the card, its history entry written
    assert [sql for sql in log.statements if any(table in sql for table in READ_BACK)] == []
    assert log.transactions <= 4, log.statements  # SQLite: the number is taken in the case's transaction
    assert "submitted already as CME-2026-0001" in connector.to(SAM.personal_chat)[-1].text
    assert await store.cases.count_open() == 1
