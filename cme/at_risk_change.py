"""Keeping the at-risk groups (policy 6.2) and the reason the child is missing (policy 6.3) current: a step with
its history entry, taken by the school's staff or the authority's officers."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from cme.at_risk import GROUP_LABELS, REASON_LABELS, group_labels, reason_label
from cme.case import Case
from cme.casework import Change
from cme.lifecycle import ProcedureError

EVENT = "at_risk_changed"


def change_at_risk(case: Case, groups: list[str], reason: str, today: date) -> Change:
    """The groups and reason as now chosen; the history entry says what was added, removed and the reason before."""
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
    data = {"groups": list(chosen), "added": added, "removed": removed, "reason": reason,
            "previous_reason": case.reason}
    return Change(replace(case, risk_groups=chosen, reason=reason), EVENT, data, describe_change(data), None, None)


def describe_change(data: dict) -> str:
    """The change in words (labels only: nothing typed)."""
    parts = []
    if data.get("added"):
        parts.append("added " + ", ".join(group_labels(data["added"])))
    if data.get("removed"):
        parts.append("removed " + ", ".join(group_labels(data["removed"])))
    if data.get("reason") != data.get("previous_reason"):
        parts.append(f"reason now: {reason_label(data.get('reason', ''))} "
                     f"(was: {reason_label(data.get('previous_reason', ''))})")
    return "At-risk groups and reason updated: " + ("; ".join(parts) or "no change")
