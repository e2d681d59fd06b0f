"""`cme-bot copp set | show | run`: an authority's panel settings from the command line, and the panel by hand."""

from __future__ import annotations

from tests.ops.test_cli import run


async def test_an_operator_sets_an_authoritys_panel_and_runs_it(database_url):
    assert (await run("demo", "load", database_url=database_url)).returncode == 0
    done = await run("copp", "set", "--authority", "Northfield Council (fictional)", "--from", "2026-11-18",
                     "--time", "14:30", database_url=database_url)
    assert done.returncode == 0, done.stderr
    assert "every other Wednesday at 14:30, from 18 November 2026" in done.stdout
    refused = await run("copp", "set", "--weekday", "saturday", "--authority", "Northfield Council (fictional)",
                        database_url=database_url)
    assert refused.returncode == 2 and "monday, tuesday" in refused.stderr

    shown = await run("copp", "show", database_url=database_url)
    assert "Example Borough Council: every other Monday at 09:00" in shown.stdout
    assert "next Monday 16 November 2026" in shown.stdout and "next Wednesday 18 November 2026" in shown.stdout

    ran = await run("copp", "run", "--date", "2026-11-18", database_url=database_url)
    assert ran.returncode == 1, "nothing can be posted without Teams, and it says so"
    assert "NOT posted: Example Borough Council: the digest in its channel" in ran.stdout

    today = await run("copp", "run", database_url=database_url)  # by the clock, on the day CME_TODAY pins
    assert "2026-11-16: COPP panel" in today.stdout, today.stdout + today.stderr
