"""Who does what in the procedure."""

from enum import StrEnum


class Role(StrEnum):
    SCHOOL_STAFF = "school_staff"
    EWS_OFFICER = "ews_officer"
    TRACKING_OFFICER = "tracking_officer"
    AGENCY_REFERRER = "agency_referrer"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]

    @property
    def needs_school(self) -> bool:
        return self is Role.SCHOOL_STAFF

    @property
    def needs_authority(self) -> bool:
        """Granted in one local authority (an administrator may be too, or be deployment-wide)."""
        return self in IN_AN_AUTHORITY


ROLE_LABELS = {
    Role.SCHOOL_STAFF: "School staff",
    Role.EWS_OFFICER: "Education Welfare Service officer",
    Role.TRACKING_OFFICER: "CME Pupil Tracking Officer",
    Role.AGENCY_REFERRER: "Agency referrer",
    Role.ADMIN: "Administrator",
}

# Roles that see every case of their local authority (that of their grant), not only one school's.
AUTHORITY_WIDE = frozenset({Role.EWS_OFFICER, Role.TRACKING_OFFICER})
IN_AN_AUTHORITY = AUTHORITY_WIDE | {Role.AGENCY_REFERRER}

# Who may do what: the sets the bot's routes are declared with.
WORKERS = frozenset({Role.SCHOOL_STAFF, Role.EWS_OFFICER, Role.TRACKING_OFFICER})  # work a case
READERS = WORKERS | {Role.AGENCY_REFERRER}  # see the cases they have a role on
REMOVAL_REQUESTERS = frozenset({Role.SCHOOL_STAFF, Role.EWS_OFFICER})
