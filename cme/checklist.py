"""Enquiries of Days 1-5 and the missing pupil checklist completed at Day 5 (policy 8.2)."""

from __future__ import annotations

ENQUIRY_KINDS: tuple[tuple[str, str], ...] = (
    ("phone_call", "Phone call"),
    ("home_visit", "Home visit"),
    ("other_school_or_la", "Contact with another school or local authority"),
    ("siblings_school", "Siblings' school"),
    ("social_media", "Social media"),
    ("other_agency", "Other agency (health, social care, police, housing)"),
    ("other", "Other"),
)

# The Days 1-5 enquiries checklist: each item is ticked by logging an enquiry of that kind.
ENQUIRIES_CHECKLIST: tuple[tuple[str, str], ...] = (
    ("phone_call", "First-day contact and calls to every contact number"),
    ("home_visit", "Home visit"),
    ("siblings_school", "Siblings' schools contacted"),
    ("other_school_or_la", "Other schools or the local authority contacted"),
    ("social_media", "Friends and social media, where appropriate"),
    ("other_agency", "Other agencies (health, social care, police, housing)"),
)

# The missing pupil checklist of Day 5: the enquiries above, and what the school confirms besides.
MISSING_PUPIL_CHECKLIST: tuple[tuple[str, str], ...] = ENQUIRIES_CHECKLIST + (
    ("neighbours", "Neighbours or the landlord asked, where appropriate"),
    ("pupil_database", "The local authority's pupil database checked for a new school"),
    ("ews_contacted", "The Education Welfare Service contacted"),
)


def enquiry_label(kind: str) -> str:
    return dict(ENQUIRY_KINDS).get(kind, kind)


def ticked(enquiry_kinds: frozenset[str]) -> list[tuple[str, bool]]:
    """The Days 1-5 checklist as (item, done) from the kinds of enquiry logged so far."""
    return [(label, key in enquiry_kinds) for key, label in ENQUIRIES_CHECKLIST]


def checklist_gaps(confirmed: set[str]) -> list[str]:
    """The missing pupil checklist's items not confirmed yet."""
    return [label for key, label in MISSING_PUPIL_CHECKLIST if key not in confirmed]
