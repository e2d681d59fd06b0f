"""A case: one child missing education, as the procedure sees it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from cme.calendar import SchoolCalendar
from cme.lifecycle import OPEN_STATES, Outcome, State
from cme.milestones import Break, Milestone, known_due_dates


@dataclass(frozen=True)
class Carer:
    name: str
    phone: str = ""
    relationship: str = ""


@dataclass(frozen=True)
class Pupil:
    forename: str
    surname: str
    date_of_birth: date | None = None
    upn: str = ""
    year_group: str = ""
    address: str = ""
    postcode: str = ""
    carers: tuple[Carer, ...] = ()

    @property
    def full_name(self) -> str:
        return f"{self.forename} {self.surname}".strip()


@dataclass(frozen=True)
class Risk:
    """The Day 1 risk questions."""

    child_protection_plan: bool = False
    looked_after: bool = False
    suspected_harm_or_crime: bool = False

    @property
    def at_risk(self) -> bool:
        return self.child_protection_plan or self.looked_after or self.suspected_harm_or_crime


@dataclass(frozen=True)
class LegalTests:
    """The school's confirmation of the tests of regulation 9(1)(i) of the 2024 regulations: which, by whom, when."""

    confirmed: frozenset[str]
    by: str
    on: date


@dataclass(frozen=True)
class PendingHandoff:
    """A child located in another authority's area, handed over and not yet accepted (cme/handoff.py, policy
    8.4.2): to an authority on this deployment (its id), or to one that is not (`to_authority_id` None), whose
    notification the officer sends by secure e-mail."""

    to_authority_id: int | None
    to_name: str
    since: date
    from_name: str = ""

    @property
    def on_deployment(self) -> bool:
        return self.to_authority_id is not None


@dataclass(frozen=True)
class DeclinedHandoff:
    """A hand-off the receiving authority declined (cme/handoff.py): the child stays on the sending authority's
    register, out of provision, marked with who declined and why, until another outcome or hand-off."""

    by_authority: str
    by_name: str
    reason: str
    on: date


@dataclass
class Case:
    reference: str
    school_id: int | None
    state: State
    pupil: Pupil
    first_day_absent: date
    run_start: date
    last_day_attended: date | None = None
    risk: Risk = field(default_factory=Risk)
    risk_groups: tuple[str, ...] = ()
    reason: str = ""
    known_so_far: str = ""
    sex: str = "not_known"  # female, male or not_known (cme/census.py SEXES): the DfE census counts it
    outcome: Outcome | None = None
    breaks: tuple[Break, ...] = ()
    enquiry_kinds: frozenset[str] = frozenset()
    enquiry_dates: dict[str, date] = field(default_factory=dict)
    triage_recorded_on: date | None = None
    ews_contacted_on: date | None = None
    checklist_completed_on: date | None = None
    day20_review_on: date | None = None
    cme_referral_on: date | None = None
    removal_requested_on: date | None = None
    off_roll_date: date | None = None
    legal_tests: LegalTests | None = None
    ctf_sent_on: date | None = None
    deletion_return_on: date | None = None
    forwarding_address: str = ""
    new_school: str = ""
    referrer: str = ""
    created_by: str = ""
    created_at: datetime | None = None
    authority_id: int | None = None  # the local authority whose officers work it: its school's, or the referrer's
    handoff: PendingHandoff | None = None  # handed to another authority, awaiting acceptance or the notification
    handoff_declined: DeclinedHandoff | None = None  # the last hand-off, declined by the receiving authority
    id: int | None = None
    version: int = 0

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def triage_outstanding(self) -> bool:
        return self.risk.at_risk and self.triage_recorded_on is None

    def day_number(self, calendar: SchoolCalendar, on: date) -> int:
        return calendar.day_number(self.run_start, on)

    def due_dates(self, calendar: SchoolCalendar) -> dict[Milestone, date | None]:
        """Each milestone's date; None while it falls past the term dates in force (not known yet)."""
        return known_due_dates(calendar, self.run_start)

    def milestone_done(self, milestone: Milestone) -> bool:
        """Whether the action a milestone asks for is recorded."""
        return self.milestone_done_on(milestone) is not None

    def milestone_done_on(self, milestone: Milestone) -> date | None:
        """When the last of the actions a milestone asks for was recorded; None while one is missing."""
        if milestone is Milestone.DAY_5:
            actions = (self.ews_contacted_on, self.checklist_completed_on)
        else:
            actions = (self.day20_review_on, self.cme_referral_on)
        return None if None in actions else max(actions)

    def overdue(self, calendar: SchoolCalendar, today: date) -> list[Milestone]:
        if not self.is_open:
            return []
        return [m for m, due in self.due_dates(calendar).items()
                if due is not None and due < today and not self.milestone_done(m)]
