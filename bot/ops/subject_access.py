"""`cme-bot subject-access`: everything held about one child, for the data protection officer (UK GDPR article 15).

Found by name and date of birth (case and spaces aside) or by UPN; written as JSON and as a readable HTML page into
--out: each case's data, its whole history, who opened it (when, from where), the cards sent about it, the
reminders and the deletion returns made from it; and the child as an expected starter. Each card's text is there as
a person read it, every version (sent, then each update in place; storage/card_messages.py); cards posted before
the bot kept texts (migration 0014) say only where and when. Asking is itself recorded (an audit event naming the
references only).
"""

from __future__ import annotations

import argparse
import html
import json
import os
import sys
from datetime import date, datetime
from pathlib import Path

from bot.config import Settings
from cards.history import describe
from cme.case import Case
from storage.audit import record_audit
from storage.engine.db import sessionmaker
from storage.mapping import pupil_to_json, row_values
from storage.subject_access import SubjectAccess

CARD_TEXTS = ("Each card as a person read it: when it was sent, and again each time it was updated in place. A card "
              "with no text was posted before the bot kept card texts; it showed the case data as it stood then.")


async def _case_record(store, access: SubjectAccess, case: Case) -> dict:
    school = await store.schools.get(case.school_id) if case.school_id else None
    data = row_values(case)
    data["pupil"] = pupil_to_json(case.pupil)
    for key, value in list(data.items()):
        if isinstance(value, date):
            data[key] = value.isoformat()
    history = [{"at": e.at.isoformat(), "by": e.actor_name, "kind": e.kind, "what": describe(e.kind, e.data),
                "data": e.data} for e in await store.cases.history(case.id)]
    views = [{"at": v.at.isoformat(), "by": v.viewer_name, "role": v.viewer_role, "from": v.place}
             for v in await store.case_views.of_case(case.id)]
    return {"reference": case.reference, "school": school.name if school else None,
            "authority": school.authority if school else None, "created_at": case.created_at.isoformat()
            if case.created_at else None, "case": data, "history": history, "opened_by": views,
            "cards_sent": await access.cards(case.id), "card_texts": CARD_TEXTS,
            "reminders": await access.reminders(case.id), "milestones": await access.milestones(case.id),
            "deletion_returns": await access.deletion_returns(case.id)}


def _table(rows: list[dict]) -> str:
    if not rows:
        return "<p>None.</p>"
    keys = list(rows[0])
    head = "".join(f"<th>{html.escape(k)}</th>" for k in keys)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(_plain(row.get(k)))}</td>" for k in keys) + "</tr>"
                   for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _plain(value) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)


def page(export: dict) -> str:
    """The export as a page people can read; every value escaped."""
    parts = [f"<h1>Subject access: {html.escape(export['asked_for'])}</h1>",
             f"<p>Exported {html.escape(export['exported_at'])}: {len(export['cases'])} case(s).</p>"]
    for record in export["cases"]:
        case = dict(record["case"])
        facts = [{"field": k, "value": v} for k, v in {**case.pop("pupil", {}), **case}.items()]
        parts += [f"<h2>{html.escape(record['reference'])} ({html.escape(record['school'] or 'no school')})</h2>",
                  "<h3>Case data</h3>", _table(facts), "<h3>History</h3>",
                  _table([{k: e[k] for k in ("at", "by", "what")} for e in record["history"]]),
                  "<h3>Who opened the case</h3>", _table(record["opened_by"]),
                  "<h3>Cards sent about the case</h3>", f"<p>{html.escape(record['card_texts'])}</p>",
                  _table(record["cards_sent"]), "<h3>Reminders</h3>", _table(record["reminders"]),
                  "<h3>Milestones</h3>", _table(record["milestones"]),
                  "<h3>Deletion returns</h3>", _table(record["deletion_returns"])]
    parts += ["<h2>As an expected starter</h2>", _table(export["expected_starters"])]
    style = "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #999;" \
            "padding:.2em .5em;text-align:left;vertical-align:top;white-space:pre-line}"
    return (f"<!doctype html><html lang=\"en-GB\"><head><meta charset=\"utf-8\"><title>Subject access</title>"
            f"<style>{style}</style></head><body>{''.join(parts)}</body></html>\n")


def _save(stem: Path, export: dict) -> None:
    stem.parent.mkdir(parents=True, exist_ok=True)
    _write(stem.with_suffix(".json"), json.dumps(export, indent=2, ensure_ascii=False) + "\n")
    _write(stem.with_suffix(".html"), page(export))


def _write(path: Path, text: str) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # a child's details: owner only
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(text)


def _asked(args: argparse.Namespace) -> tuple[str, date | None, str] | str:
    """(name, date of birth, UPN), or what is wrong with the options."""
    if args.upn:
        return "", None, args.upn
    if not (args.name and args.name.strip() and args.dob):
        return "say --name and --dob together, or --upn"
    try:
        return args.name, date.fromisoformat(args.dob), ""
    except ValueError:
        return f"--dob must be YYYY-MM-DD, not {args.dob!r}"


async def subject_access(args: argparse.Namespace, settings: Settings) -> int:
    from bot.ops.cli import _with_store

    asked = _asked(args)
    if isinstance(asked, str):
        print(f"cme-bot: {asked}", file=sys.stderr)
        return 2
    name, born, upn = asked
    out = Path(args.out)

    async def work(store) -> int:
        access = SubjectAccess(sessionmaker(store.engine))
        cases = await access.cases_of(name=name, date_of_birth=born, upn=upn)
        if not cases:
            print("no case matches: nothing is held under that name and date of birth or UPN (an erased case "
                  "holds neither)", file=sys.stderr)
            return 1
        now = datetime.now(settings.zone)
        export = {"asked_for": f"UPN {upn}" if upn else f"{' '.join(name.split())}, born {born.isoformat()}",
                  "exported_at": now.isoformat(timespec="seconds"),
                  "cases": [await _case_record(store, access, case) for case in cases],
                  "expected_starters": await access.starters_of(name=name, date_of_birth=born, upn=upn,
                                                                case_ids=[case.id for case in cases])}
        stem = out / f"subject-access-{now:%Y%m%d-%H%M%S}"
        _save(stem, export)
        await _audit(store, [case.reference for case in cases])
        print(f"{len(cases)} case(s): {', '.join(case.reference for case in cases)}")
        print(f"wrote {stem.with_suffix('.json')} and {stem.with_suffix('.html')}")
        return 0

    return await _with_store(settings, work)


async def _audit(store, references: list[str]) -> None:
    async with sessionmaker(store.engine).begin() as session:
        record_audit(session, "cme-bot subject-access", "subject_access", {"references": references})


def add_parser(commands) -> None:
    p = commands.add_parser("subject-access", help="everything held about one child, as JSON and an HTML page, for "
                                                   "the data protection officer")
    p.add_argument("--name", help="the child's full name (with --dob)")
    p.add_argument("--dob", help="the child's date of birth, YYYY-MM-DD (with --name)")
    p.add_argument("--upn", help="or the child's Unique Pupil Number")
    p.add_argument("--out", default=".", help="the directory to write the two files into (default: here)")
    p.set_defaults(run=subject_access)
