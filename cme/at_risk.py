"""Children at greater risk of going missing (policy 6.2), and why children go missing (policy 6.3)."""

from __future__ import annotations

AT_RISK_GROUPS: tuple[tuple[str, str], ...] = (
    ("young_offenders", "Young offenders"),
    ("exploitation", "At risk of child sexual or criminal exploitation"),
    ("gun_gang_crime", "At risk of involvement in gun and gang crime"),
    ("refuges", "Living in a refuge"),
    ("radicalisation", "At risk of radicalisation or extremism"),
    ("runaways", "Runaway"),
    ("homeless_families", "Homeless family"),
    ("refugees_asylum_seekers", "Refugee or asylum-seeking family"),
    ("new_immigrant_families", "New immigrant family"),
    ("looked_after", "Child looked after"),
    ("gypsy_roma_traveller_show", "Gypsy, Roma, Irish Traveller or Show People community"),
    ("privately_fostered", "Privately fostered"),
    ("young_carers", "Young carer"),
    ("pregnant_or_mothers", "Pregnant teenager or school-age mother"),
    ("mental_health", "Mental health problems"),
    ("permanently_excluded", "Permanently excluded"),
    ("parent_in_prison", "Parent in prison"),
    ("witness_protection", "Witness protection arrangements"),
)

MISSING_REASONS: tuple[tuple[str, str], ...] = (
    ("unknown", "Not known yet"),
    ("never_started", "Never started provision"),
    ("unofficial_exclusion", "Unofficial exclusion or removal from roll"),
    ("withdrawn_no_alternative", "Withdrawn by the parent with no alternative given"),
    ("moved_no_school", "Moved address without a new school"),
    ("failed_primary_secondary", "Failed to transfer from primary to secondary"),
    ("failed_transition", "Failed transition between providers"),
    ("hard_to_place", "Hard to place"),
    ("forced_marriage", "Forced marriage"),
)

GROUP_LABELS = dict(AT_RISK_GROUPS)
# Beside the report's reasons: a child an officer adds to the register while waiting for a school place or an
# appeal (policy 6.1, cme/register.py).
REASON_LABELS = dict(MISSING_REASONS) | {"awaiting_school_place": "Awaiting a school place or an appeal"}


def group_labels(groups) -> list[str]:
    """The groups' labels in the policy's order; a key no longer listed is shown as it was stored."""
    known = [label for key, label in AT_RISK_GROUPS if key in groups]
    return known + [str(g) for g in groups if g not in GROUP_LABELS]


def reason_label(reason: str) -> str:
    return REASON_LABELS.get(reason or "unknown", reason)
