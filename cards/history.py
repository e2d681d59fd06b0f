"""A case history entry in words."""

from __future__ import annotations

from cme.casework import NOTIFIED
from cme.checklist import enquiry_label
from cme.lifecycle import Outcome


def describe(kind: str, data: dict) -> str:
    if kind == "reported":
        return f"reported the pupil missing (Day {data.get('day', '?')})"
    if kind == "referred_by_agency":
        return f"referred the child ({data.get('agency', 'agency')})"
    if kind == "enquiry_logged":
        return f"{enquiry_label(data.get('kind', ''))}: {data.get('outcome', '')}"
    if kind == "break_recorded":
        return f"break ({data.get('kind')}) on {data.get('on')}, count restarts {data.get('count_restarts_on')}"
    if kind == "risk_notified":
        who = ", ".join(dict(NOTIFIED).get(w, w) for w in data.get("notified", []))
        return f"notified {who} ({data.get('when', '')})"
    if kind == "outcome_recorded":
        return f"closed: {Outcome(data['outcome']).label}"
    if kind == "located_outside_area":
        return "located outside the area; referred to the tracking officer"
    if kind == "milestones_rescheduled":
        moved = "; ".join(f"{m.replace('day', 'Day ')} {old} -> {new}" for m, (old, new) in data.get("moved", {}).items())
        return f"new term dates moved {moved}"
    if kind == "removal_agreed":
        return f"agreed removal from roll; off-roll date {data.get('off_roll_date')}"
    if kind in ("removal_declined", "more_enquiries_asked"):
        what = "declined removal from roll" if kind == "removal_declined" else "asked for more enquiries"
        return f"{what}: {data.get('why', '')}"
    if kind == "removed_from_roll":
        return f"confirmed removal from roll (off-roll date {data.get('off_roll_date')})"
    return kind.replace("_", " ")
