"""`cme-bot retention run` and `cme-bot subject-access` on a demonstration database (today 16 November 2026)."""

from __future__ import annotations

import json
import stat
from dataclasses import replace
from datetime import UTC, date, datetime

from sqlalchemy import JSON, DateTime, bindparam, text

from cme.case import Pupil, Risk
from cme.lifecycle import Outcome, State
from storage.cases import NewEvent
from storage.store import Store
from tests.ops.test_cli import run
from tests.storage.test_storage import DUE, REPORTER, new_case

LONG_AGO = datetime(2019, 7, 1, 12, tzinfo=UTC)
CARD_SENT = "Case card\nPupil: Otto Open\nAddress: 3 Pretend Row <b>\n[Record an enquiry]"
CARD_UPDATED = "Case card\nPupil: Otto Open\nEnquiry logged: phone call"


async def _cases(database_url: str) -> dict[str, str]:
    """Four cases at Oakwood: closed 2019 (due), closed 2019 with a Day 1 risk (kept to the 25th birthday), closed
    2019 with a risk and no date of birth (kept), and one opened in 2019 and still open (never erased)."""
    store = Store.from_url(database_url)
    try:
        oak = await store.schools.by_urn("900001")
        made = {}
        for name, changes, closed in (
                ("due", dict(risk=Risk()), True),
                ("protected", dict(risk=Risk(child_protection_plan=True)), True),
                ("no birth date", dict(pupil=Pupil("Nell", "Nodate")), True),
                ("open", dict(pupil=Pupil("Otto", "Open", date(2014, 2, 2), "A123456789012")), False)):
            case, _ = await store.cases.create(new_case(oak.id, **changes), NewEvent(
                "reported", {"day": 1}, REPORTER), DUE)
            if closed:
                await store.cases.record(replace(case, state=State.CLOSED, outcome=Outcome.RETURNED),
                                         NewEvent("outcome_recorded", {"outcome": "returned_to_school"}, REPORTER))
            made[name] = case.reference
        async with store.engine.begin() as connection:
            await connection.execute(text("UPDATE cases SET closed_at = :at WHERE closed_at IS NOT NULL"),
                                     {"at": LONG_AGO})
        starter = text("INSERT INTO expected_starters (school_id, pupil_key, pupil, previous_school, first_day, status, "
                       "case_reference, created_by, created_at, updated_at, version) VALUES (:school, 'k1', :pupil, "
                       "'Elm School (fictional)', '2019-09-02', 'arrived', '', 'aad', :at, :at, 1)").bindparams(
            bindparam("pupil", type_=JSON), bindparam("at", type_=DateTime(timezone=True)))
        async with store.engine.begin() as connection:
            await connection.execute(starter, {"school": oak.id, "at": LONG_AGO, "pupil": {
                "forename": "OTTO", "surname": "Open", "date_of_birth": "2014-02-02"}})
        await store.case_views.record((await store.cases.get(made["open"])).id, aad_object_id="aad-ewan",
                                      name="Ewan Welfare", role="EWS officer", inside_school=False, place="personal",
                                      activity_id="seen-1")
        opened = (await store.cases.get(made["open"])).id
        await store.card_messages.add(opened, "case_card", "a:ewan-chat", "card-1", "aad-ewan",
                                      text=CARD_SENT, conversation_kind="personal")
        await store.card_messages.updated(opened, "card-1", CARD_UPDATED)
        return made
    finally:
        await store.close()


async def _history(database_url: str, reference: str) -> list:
    store = Store.from_url(database_url)
    try:
        return [e.data for e in await store.cases.history((await store.cases.get(reference)).id)]
    finally:
        await store.close()


async def test_retention_run_erases_what_is_due_once_and_a_dry_run_nothing(database_url):
    assert (await run("demo", "load", database_url=database_url)).returncode == 0
    made = await _cases(database_url)

    dry = await run("retention", "run", "--dry-run", database_url=database_url)
    assert dry.returncode == 0, dry.stderr
    assert f"due: {made['due']}" in dry.stdout and "1 due for erasure (dry run: nothing erased)" in dry.stdout
    assert f"kept: {made['no birth date']}" in dry.stdout
    assert made["protected"] not in dry.stdout and made["open"] not in dry.stdout
    assert (await _history(database_url, made["due"]))[0] == {"day": 1}

    done = await run("retention", "run", database_url=database_url)
    assert done.returncode == 0, done.stderr
    assert f"erased: {made['due']}" in done.stdout and ": 1 erased" in done.stdout
    assert (await _history(database_url, made["due"]))[:2] == [{"erased": True}, {"erased": True}]
    assert (await _history(database_url, made["protected"]))[0] == {"day": 1}

    again = await run("retention", "run", database_url=database_url)
    assert ": 0 erased" in again.stdout and made["due"] not in again.stdout
    # By 14 March 2040 (the 25th birthday of the child with the child protection plan) that case is due too.
    later = await run("retention", "run", "--dry-run", "--date", "2040-03-14", database_url=database_url)
    assert f"due: {made['protected']}" in later.stdout
    bad = await run("retention", "run", "--date", "soon", database_url=database_url)
    assert bad.returncode == 2 and "YYYY-MM-DD" in bad.stderr


async def test_subject_access_writes_everything_held_about_the_child(database_url, tmp_path):
    assert (await run("demo", "load", database_url=database_url)).returncode == 0
    made = await _cases(database_url)

    done = await run("subject-access", "--name", "  otto   OPEN ", "--dob", "2014-02-02", "--out", str(tmp_path),
                     database_url=database_url)
    assert done.returncode == 0, done.stderr
    assert made["open"] in done.stdout
    [json_file] = tmp_path.glob("subject-access-*.json")
    [html_file] = tmp_path.glob("subject-access-*.html")
    assert stat.S_IMODE(json_file.stat().st_mode) == 0o600
    export = json.loads(json_file.read_text())
    [record] = export["cases"]
    assert record["reference"] == made["open"] and record["school"] == "Oakwood Primary School (fictional)"
    assert record["case"]["pupil"]["forename"] == "Otto" and record["case"]["pupil"]["upn"] == "A123456789012"
    assert [e["kind"] for e in record["history"]] == ["reported"]
    assert record["opened_by"][0]["by"] == "Ewan Welfare" and record["opened_by"][0]["from"] == "personal"
    assert {m["milestone"] for m in record["milestones"]} == {"day5", "day20"}
    assert record["deletion_returns"] == []
    assert [(c["purpose"], c["where"], c["version"], c["text"]) for c in record["cards_sent"]] == [
        ("case_card", "personal", "sent", CARD_SENT), ("case_card", "personal", "updated in place", CARD_UPDATED)]
    assert [(s["previous_school"], s["status"]) for s in export["expected_starters"]] == [
        ("Elm School (fictional)", "arrived")]
    page = html_file.read_text()
    assert "Otto" in page and made["open"] in page and "Who opened the case" in page and "Ewan Welfare" in page
    assert "Elm School (fictional)" in page
    assert "Address: 3 Pretend Row &lt;b&gt;" in page and "Enquiry logged: phone call" in page  # escaped

    by_upn = await run("subject-access", "--upn", "a123 4567 89012", "--out", str(tmp_path / "upn"),
                       database_url=database_url)
    assert by_upn.returncode == 0 and made["open"] in by_upn.stdout
    nobody = await run("subject-access", "--name", "Otto Open", "--dob", "2014-02-03", "--out", str(tmp_path / "x"),
                       database_url=database_url)
    assert nobody.returncode == 1 and "no case matches" in nobody.stderr and not (tmp_path / "x").exists()
    half = await run("subject-access", "--name", "Otto Open", database_url=database_url)
    assert half.returncode == 2 and "--name and --dob together" in half.stderr
