"""Keeping the at-risk groups (policy 6.2) and the reason the child is missing (policy 6.3) current: a step with
its history entry, taken by the school's staff or the authority's officers.

The reason decides whether the pupil has left (cme/deadlines.py `LEFT_REASONS`), and so whether the school must
tell the CME Pupil Tracking Officer within 10 school days of the last day attended (policy 8.4.1). A change to or
from such a reason adds or removes that deadline, counted from the same last day attended as at the report; the
history entry says so, and the other milestones stay as they are.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from cme.at_risk import GROUP_LABELS, REASON_LABELS, group_labels, reason_label
from cme.calendar import SchoolCalendar
from cme.case import Case
from cme.casework import Change
from cme.deadlines import LEFT_REASONS, POLICY_NOTICE, Deadline, calendar_deadlines, has_left
from cme.lifecycle import ProcedureError

EVENT = "at_risk_changed"


def change_at_risk(case: Case, groups: list[str], reason: str, calendar: SchoolCalendar, today: date) -> Change:
    """The groups and reason as now chosen; the history entry says what was added, removed and the reason before,
    and the notice to the tracking officer added or removed when the pupil is now said to have left, or no longer."""
    if not case.is_open:
        raise ProcedureError("This case is closed, so its at-risk groups and reason are kept as they were.")
    if any(group not in GROUP_LABELS for group in groups):
        raise ProcedureError("Choose the at-risk groups from the list.")
    if reason not in REASON_LABELS:
        raise ProcedureError("Choose why the child is missing education from the list.")
    chosen = tuple(key for key in GROUP_LABELS if key in groups)
    added = [g for g in chosen if g not in case.risk_groups]
    removed = [g for g in case.risk_groups if g not in chosen]
    if not added and not removed and reason == case.reason:
        raise ProcedureError("Nothing was changed: these are the groups and reason already recorded.")
    after = replace(case, risk_groups=chosen, reason=reason)
    data = {"groups": list(chosen), "added": added, "removed": removed, "reason": reason,
            "previous_reason": case.reason}
    moved = None
    if has_left(after) != has_left(case):
        before_due = calendar_deadlines(case, calendar).get(Deadline.OFFICER_TOLD)
        after_due = calendar_deadlines(after, calendar).get(Deadline.OFFICER_TOLD)
        data["notice"] = {"before": _known(before_due, calendar), "after": _known(after_due, calendar)}
        moved = {Deadline.OFFICER_TOLD: after_due}
    return Change(after, EVENT, data, describe_change(data), moved=moved)


def _known(due: date | None, calendar: SchoolCalendar) -> str | None:
    """A deadline's date for the history; None when there is none, or it falls past the term dates known."""
    return due.isoformat() if due is not None and calendar.is_known(due) else None


def describe_change(data: dict) -> str:
    """The change in words (labels and dates only: nothing typed)."""
    parts = []
    if data.get("added"):
        parts.append("added " + ", ".join(group_labels(data["added"])))
    if data.get("removed"):
        parts.append("removed " + ", ".join(group_labels(data["removed"])))
    if data.get("reason") != data.get("previous_reason"):
        parts.append(f"reason now: {reason_label(data.get('reason', ''))} "
                     f"(was: {reason_label(data.get('previous_reason', ''))})")
    notice = _notice(data)
    return "At-risk groups and reason updated: " + ("; ".join(parts) or "no change") + (f". {notice}" if notice else "")


def _notice(data: dict) -> str:
    """The 1 to 10 day notice to the tracking officer added or removed by the new reason."""
    if not isinstance(data.get("notice"), dict):
        return ""
    if data.get("reason") not in LEFT_REASONS:
        return f"No notice to the CME Pupil Tracking Officer is due now ({POLICY_NOTICE})"
    try:
        after = date.fromisoformat(data["notice"].get("after") or "")
    except (TypeError, ValueError):
        return f"The CME Pupil Tracking Officer is to be told by a date not known yet ({POLICY_NOTICE})"
    return f"The CME Pupil Tracking Officer is to be told by {after:%A %-d %B %Y} ({POLICY_NOTICE})"
