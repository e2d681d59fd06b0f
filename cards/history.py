"""A case history entry in words."""

from __future__ import annotations

from datetime import date

from cards.out_of_provision import describe_tracking
from cards.text import user_text
from cme.at_risk_change import EVENT as AT_RISK_CHANGED
from cme.at_risk_change import describe_change
from cme.casework import NOTIFIED
from cme.checklist import enquiry_label
from cme.lifecycle import Outcome
from cme.rectification import EVENT as CORRECTED
from cme.rectification import describe_correction
from cme.removal import LEGAL_TESTS


def describe(kind: str, data: dict) -> str:
    """In markdown: what people typed is made inert here."""
    if data == {"erased": True}:  # a tombstone (storage/retention.py): what was done and when, nothing more
        return f"{kind.replace('_', ' ')} (details erased at the end of retention)"
    if kind == CORRECTED:
        return f"{describe_correction(data)} ({user_text(data.get('reason', ''))})"
    if kind == "erased":
        return f"erased at the end of its retention period (kept until {data.get('retained_until')})"
    if kind == "reported":
        return f"reported the pupil missing (Day {data.get('day', '?')})"
    if kind == "referred_by_agency":
        return f"referred the child ({user_text(data.get('agency', 'agency'))})"
    if kind == "enquiry_logged":
        return f"{user_text(enquiry_label(data.get('kind', '')))}: {user_text(data.get('outcome', ''))}"
    if kind == "break_recorded":
        run = f"run {data['run']} began" if "run" in data else "count restarts"
        return f"break ({data.get('kind')}) on {data.get('on')}, {run} {data.get('count_restarts_on')}"
    if kind == "risk_notified":
        who = ", ".join(dict(NOTIFIED).get(w) or user_text(w) for w in data.get("notified", []))
        return f"notified {who} ({user_text(data.get('when', ''))})"
    if kind == "outcome_recorded":
        return f"closed: {Outcome(data['outcome']).label}"
    if kind == "located_outside_area":
        return "located outside the area; referred to the tracking officer"
    if kind == AT_RISK_CHANGED:
        return user_text(describe_change(data))
    if kind == "milestones_rescheduled":
        moved = "; ".join(f"{m.replace('day', 'Day ')} {old} -> {new}" for m, (old, new) in data.get("moved", {}).items())
        return f"new term dates moved {moved}"
    return (_about_removal(kind, data) or _about_deletion_return(kind, data) or describe_tracking(kind, data)
            or kind.replace("_", " "))


def _on(day: str | None) -> str:
    return f"{date.fromisoformat(day):%-d %B %Y}" if day else "?"


def _about_deletion_return(kind: str, data: dict) -> str | None:
    """A return made from the case (bot/views/deletion_return_history.py)."""
    if kind == "deletion_return_sent":
        return (f"deletion return {data.get('return')} sent on {_on(data.get('sent_on'))} (regulation "
                f"9(1)({data.get('ground')}), date of deletion {_on(data.get('deletion_on'))})")
    if kind == "deletion_return_acknowledged":
        return f"deletion return {data.get('return')} acknowledged on {_on(data.get('acknowledged_on'))}"
    return None


def _about_removal(kind: str, data: dict) -> str | None:
    if kind in ("removal_requested", "legal_tests_confirmed") and "legal_tests" in data:
        confirmed = "; ".join(label for key, label, _ in LEGAL_TESTS if key in data["legal_tests"])
        what = "requested removal from roll" if kind == "removal_requested" else "confirmed"
        return f"{what}, confirming: {confirmed}"
    if kind == "removal_agreed":
        return f"agreed removal from roll; off-roll date {data.get('off_roll_date')}"
    if kind in ("removal_declined", "more_enquiries_asked"):
        what = "declined removal from roll" if kind == "removal_declined" else "asked for more enquiries"
        return f"{what}: {user_text(data.get('why', ''))}"
    if kind == "removed_from_roll":
        sent = (f"; deletion return {data['deletion_return_on']}; CTF to the Lost Pupils Database (S2S) "
                f"{data['ctf_sent_on']}" if "ctf_sent_on" in data else "")
        return f"confirmed removal from roll (off-roll date {data.get('off_roll_date')}{sent})"
    return None
