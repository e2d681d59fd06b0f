"""The tables. Migrations in storage/migrations are the source of truth for the schema; these match them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from storage.types import UTCDateTime

# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL gets a bigint identity.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime(), dict: JSON, list: JSON}


class HistoryEntry:
    """The columns of an append-only history entry: who (actor) did what (kind, data) and when (at). Each table
    adds, first, what it is the history of; its triggers refuse UPDATE and DELETE. The sort orders keep the
    columns where the migrations put them: id, the owner (sort_order=-1), these, then any of the table's own
    (sort_order=1)."""

    id: Mapped[int] = mapped_column(BigId, primary_key=True, sort_order=-2)
    at: Mapped[datetime]
    actor_aad_object_id: Mapped[str] = mapped_column(String(64))
    actor_name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict]


class Authority(Base):
    """A local authority: its schools, cases and officers are seen by nobody of another authority."""

    __tablename__ = "authorities"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    channel_id: Mapped[str | None] = mapped_column(String(300))  # its channel, for lines naming no child
    created_at: Mapped[datetime]


class School(Base):
    __tablename__ = "schools"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    urn: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # Never None once saved (Schools.add needs it); nullable only because SQLite adds a column so.
    authority_id: Mapped[int | None] = mapped_column(ForeignKey("authorities.id"), index=True)
    reminders_channel_id: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime]


class Person(Base):
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    aad_object_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime]


class RoleGrant(Base):
    __tablename__ = "roles"
    __table_args__ = (UniqueConstraint("person_id", "role", "school_id", name="uq_roles_person_role_school"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(40))
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    # The authority of an EWS officer's, tracking officer's or agency referrer's role, or of an authority's
    # administrator; None for school staff (their school's) and deployment-wide administrators.
    authority_id: Mapped[int | None] = mapped_column(ForeignKey("authorities.id"))
    granted_by: Mapped[str] = mapped_column(String(200))
    granted_at: Mapped[datetime]


# The children on an authority's register (open, or out of provision after removal), as the partial indexes say it.
ON_REGISTER = "closed_at IS NULL OR state IN ('out_of_provision', 'not_located')"


class CaseRow(Base):
    __tablename__ = "cases"
    __table_args__ = (Index("ix_cases_school_open", "school_id", "closed_at"),
                      Index("ix_cases_authority_open", "authority_id", "closed_at"),
                      # the register in its order, with what its walk checks on each row (migration 0019)
                      Index("ix_cases_register_checked", "authority_id", "first_day_absent", "id", "open_due_on",
                            "closed_at", "state"),
                      # `my cases`: the overdue open cases, longest overdue first, then the others (migration 0013)
                      *(Index(name, *columns, postgresql_where=text("closed_at IS NULL"),
                              sqlite_where=text("closed_at IS NULL")) for name, *columns in (
                          ("ix_cases_school_open_due", "school_id", "open_due_on"),
                          ("ix_cases_authority_open_due", "authority_id", "open_due_on"),
                          ("ix_cases_school_open_order", "school_id", "run_start", "reference"),
                          ("ix_cases_authority_open_order", "authority_id", "run_start", "reference"))),
                      # the register walked by one filter, in its order (migration 0015)
                      Index("ix_cases_register_stage", "authority_id", "state", "first_day_absent", "id"),
                      Index("ix_cases_register_school", "authority_id", "school_id", "first_day_absent", "id"),
                      Index("ix_cases_register_reason", "authority_id", "reason", "first_day_absent", "id"),
                      # the COPP panel: new since a sitting; the register in the panel's order (migration 0016)
                      Index("ix_cases_authority_created", "authority_id", "created_at", "id"),
                      Index("ix_cases_register_order", "authority_id", "run_start", "reference",
                            sqlite_where=text(ON_REGISTER), postgresql_where=text(ON_REGISTER)))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"))
    authority_id: Mapped[int | None] = mapped_column(ForeignKey("authorities.id"))
    state: Mapped[str] = mapped_column(String(40))
    outcome: Mapped[str | None] = mapped_column(String(40))
    pupil: Mapped[dict]
    first_day_absent: Mapped[date] = mapped_column(Date)
    last_day_attended: Mapped[date | None] = mapped_column(Date)
    run_start: Mapped[date] = mapped_column(Date)
    risk: Mapped[dict]
    risk_groups: Mapped[list]
    reason: Mapped[str] = mapped_column(Text, default="")
    sex: Mapped[str] = mapped_column(String(20), default="not_known", server_default="not_known")  # migration 0009
    known_so_far: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict]
    triage_recorded_on: Mapped[date | None] = mapped_column(Date)
    ews_contacted_on: Mapped[date | None] = mapped_column(Date)
    checklist_completed_on: Mapped[date | None] = mapped_column(Date)
    day20_review_on: Mapped[date | None] = mapped_column(Date)
    cme_referral_on: Mapped[date | None] = mapped_column(Date)
    removal_requested_on: Mapped[date | None] = mapped_column(Date)
    off_roll_date: Mapped[date | None] = mapped_column(Date)
    submission_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The earliest due date of its milestones not done: kept by triggers on milestones (migration 0013), never
    # written by the code; `my cases` finds the overdue cases by it.
    open_due_on: Mapped[date | None] = mapped_column(Date)


class CaseRiskGroupRow(Base):
    """An at-risk group of a child on the register, with what the register orders it by: kept by triggers on cases
    (migration 0015); a case closed has none."""

    __tablename__ = "case_risk_groups"
    __table_args__ = (Index("ix_case_risk_groups_register", "authority_id", "risk_group", "first_day_absent",
                            "case_id"),)

    case_id: Mapped[int] = mapped_column(BigId, ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    risk_group: Mapped[str] = mapped_column(String(60), primary_key=True)
    authority_id: Mapped[int | None] = mapped_column(Integer)
    first_day_absent: Mapped[date] = mapped_column(Date)


class RegisterTally(Base):
    """(authority, kind, key): how many cases, as of the changes added to it; the kinds and keys are migration 0016's."""

    __tablename__ = "register_tallies"

    authority_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)


class RegisterTallyChange(Base):
    """A change of a tally (+1, -1, ...) appended by the triggers on cases, not yet added to it."""

    __tablename__ = "register_tally_changes"
    __table_args__ = (Index("ix_register_tally_changes", "authority_id", "kind", "key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    authority_id: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    key: Mapped[str] = mapped_column(String(80))
    n: Mapped[int] = mapped_column(Integer)


class CaseEvent(HistoryEntry, Base):
    """The append-only case history: who did what, when. Triggers refuse UPDATE and DELETE."""

    __tablename__ = "case_events"
    __table_args__ = (UniqueConstraint("case_id", "key", name="uq_case_events_case_key"),)

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True, sort_order=-1)
    key: Mapped[str | None] = mapped_column(String(100), sort_order=1)


class CaseErasure(Base):
    """A case erased at the end of its retention (storage/retention.py): who erased it, when, and by which rule.

    With the case row (reference, school, dates, outcome) it is the tombstone. Append-only; its row is what lets the
    database turn that case's history entries into tombstones (migration 0011)."""

    __tablename__ = "case_erasures"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    erased_at: Mapped[datetime]
    erased_by: Mapped[str] = mapped_column(String(200))
    rule: Mapped[str] = mapped_column(String(40))
    retained_until: Mapped[date] = mapped_column(Date)


class CaseViewRow(Base):
    """Who opened a case card, when and from where (a personal chat, a channel). Append-only."""

    __tablename__ = "case_views"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    at: Mapped[datetime]
    viewer_aad_object_id: Mapped[str] = mapped_column(String(64))
    viewer_name: Mapped[str] = mapped_column(String(200))
    viewer_role: Mapped[str] = mapped_column(String(40))
    inside_school: Mapped[bool] = mapped_column(Boolean)  # staff of the case's school when they opened it
    place: Mapped[str] = mapped_column(String(20))
    activity_id: Mapped[str | None] = mapped_column(String(300), unique=True)  # a redelivery is recorded once


class MilestoneRow(Base):
    """When Day 5 and Day 20 of a case's current continuous absence fall, and whether they are done."""

    __tablename__ = "milestones"
    __table_args__ = (
        Index(
            "ix_milestones_due_open",
            "due_on",
            postgresql_where=text("done_on IS NULL"),
            sqlite_where=text("done_on IS NULL"),
        ),
        Index(
            "ix_milestones_open_by_case",
            "case_id",
            "due_on",
            postgresql_where=text("done_on IS NULL"),
            sqlite_where=text("done_on IS NULL"),
        ),
    )

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    milestone: Mapped[str] = mapped_column(String(10), primary_key=True)
    run_start: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    done_on: Mapped[date | None] = mapped_column(Date)


class ReminderClaim(Base):
    """One reminder card for one milestone of one run of absence, claimed by exactly one job run."""

    __tablename__ = "reminder_claims"
    __table_args__ = (
        UniqueConstraint("case_id", "milestone", "run_start", name="uq_reminder_claims_milestone_run"),
        Index("ix_reminder_claims_unsent", "sent_at", "claimed_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    milestone: Mapped[str] = mapped_column(String(10))
    run_start: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    claimed_on: Mapped[date] = mapped_column(Date)
    claimed_at: Mapped[datetime]
    claimed_by: Mapped[str] = mapped_column(String(100))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime | None]
    conversation_id: Mapped[str | None] = mapped_column(String(300))
    activity_id: Mapped[str | None] = mapped_column(String(300))
    outcome: Mapped[str | None] = mapped_column(String(200))


class DailyJobRun(Base):
    """A run of the daily job while it works: claims it holds are free once its heartbeat stops."""

    __tablename__ = "daily_job_runs"

    run_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    started_at: Mapped[datetime]
    heartbeat_at: Mapped[datetime]


class DigestClaim(Base):
    """The one overdue digest card per channel per school day."""

    __tablename__ = "digest_claims"
    __table_args__ = (UniqueConstraint("channel_id", "on_date", name="uq_digest_claims_channel_day"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(300))
    on_date: Mapped[date] = mapped_column(Date)
    claimed_at: Mapped[datetime]
    claimed_by: Mapped[str] = mapped_column(String(100))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime | None]
    activity_id: Mapped[str | None] = mapped_column(String(300))
    outcome: Mapped[str | None] = mapped_column(String(200))


class Conversation(Base):
    """Where the bot can write: a personal chat or a team channel, as a serialised reference."""

    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(300), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    tenant_id: Mapped[str | None] = mapped_column(String(64))
    team_id: Mapped[str | None] = mapped_column(String(300), index=True)
    aad_object_id: Mapped[str | None] = mapped_column(String(64), index=True)
    reference: Mapped[dict]
    updated_at: Mapped[datetime]
    dead_at: Mapped[datetime | None]
    dead_reason: Mapped[str | None] = mapped_column(String(200))


class CardMessage(Base):
    """A card the bot posted about a case, kept so that later actions update it in place; and each version of it,
    what a person read on it (cards/readable.py) and where, for subject access (a row a send or an update in place,
    the update's with the same activity id), until the case is erased."""

    __tablename__ = "card_messages"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(40))
    conversation_id: Mapped[str] = mapped_column(String(300))
    activity_id: Mapped[str] = mapped_column(String(300))
    audience: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
    conversation_kind: Mapped[str | None] = mapped_column(String(20))  # personal, channel, groupChat
    text: Mapped[str | None] = mapped_column(Text)  # None: from before 0014, or the case was erased


class HandoffRow(Base):
    """A child handed to another local authority (policy 8.4.2, cme/handoff.py): one of this deployment's (until a
    tracking officer of it accepts), or one that is not (until the notification is recorded as sent)."""

    __tablename__ = "handoffs"
    __table_args__ = (UniqueConstraint("case_id", "sent_key", name="uq_handoffs_case_sent"),
                      Index("ix_handoffs_pending", "done_on", "to_authority_id"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    from_authority_id: Mapped[int | None] = mapped_column(ForeignKey("authorities.id"))
    from_name: Mapped[str] = mapped_column(String(200))
    to_authority_id: Mapped[int | None] = mapped_column(ForeignKey("authorities.id"))  # None: not on this deployment
    to_name: Mapped[str] = mapped_column(String(200))
    sent_on: Mapped[date] = mapped_column(Date)
    sent_by: Mapped[str] = mapped_column(String(64))
    sent_by_name: Mapped[str] = mapped_column(String(200))
    sent_key: Mapped[str] = mapped_column(String(100))
    accepted_on: Mapped[date | None] = mapped_column(Date)
    accepted_by: Mapped[str | None] = mapped_column(String(64))
    accepted_by_name: Mapped[str | None] = mapped_column(String(200))
    notified_on: Mapped[date | None] = mapped_column(Date)  # not on this deployment: the e-mail recorded as sent
    done_on: Mapped[date | None] = mapped_column(Date)  # accepted or notified: no longer pending


class SeenActivity(Base):
    """Activity ids already handled, so a redelivered activity does nothing twice."""

    __tablename__ = "seen_activities"

    activity_id: Mapped[str] = mapped_column(String(300), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(index=True)


class Counter(Base):
    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)


class Setting(Base):
    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class AuditEvent(Base):
    """Changes that are not about one case: roles, schools, channels, calendars. Append-only."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict]


class TermDatesRow(Base):
    """Term dates imported into the database, so every instance counts the same school days."""

    __tablename__ = "term_dates"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    source: Mapped[str] = mapped_column(Text)
    imported_at: Mapped[datetime]
    imported_by: Mapped[str] = mapped_column(String(200))


class ExportLinkRow(Base):
    """A download link offered in someone's personal chat (bot/exports/): only its token's hash is kept; it serves
    once (`used_at`), before `expires_at`, the export of `kind` with `params` built for the person who asked."""

    __tablename__ = "export_links"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    aad_object_id: Mapped[str] = mapped_column(String(64))
    person_name: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict]
    format: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)
    used_at: Mapped[datetime | None]


class DeletionReturnRow(Base):
    """A deletion return (regulation 13(4)): a school's to its authority, for a case or not; its data (`details`)
    names the pupil and parents. Sent when made; acknowledged once, by a tracking officer of the authority."""

    __tablename__ = "deletion_returns"
    __table_args__ = (Index("ix_deletion_returns_school", "school_id", "id"),
                      Index("ix_deletion_returns_outstanding", "authority_id", "acknowledged_at"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    ground: Mapped[str] = mapped_column(String(4))
    deletion_on: Mapped[date] = mapped_column(Date)
    details: Mapped[dict]
    submission_key: Mapped[str] = mapped_column(String(64), unique=True)
    sent_at: Mapped[datetime]
    sent_by: Mapped[str] = mapped_column(String(64))
    sent_by_name: Mapped[str] = mapped_column(String(200))
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by: Mapped[str | None] = mapped_column(String(64))
    acknowledged_by_name: Mapped[str | None] = mapped_column(String(200))


class DeletionReturnEvent(HistoryEntry, Base):
    """A deletion return's append-only history (who did what, when; the cards posted of it). Triggers refuse
    UPDATE and DELETE."""

    __tablename__ = "deletion_return_events"
    __table_args__ = (UniqueConstraint("return_id", "key", name="uq_deletion_return_events_key"),)

    return_id: Mapped[int] = mapped_column(ForeignKey("deletion_returns.id"), index=True, sort_order=-1)
    key: Mapped[str | None] = mapped_column(String(100), sort_order=1)


class ExpectedStarterRow(Base):
    """A pupil a school expects from an agreed first day (cme/expected_starters.py): arrived (the new pupil return
    made), or, not arrived within 5 school days, a CME case. One row per pupil, school and first day."""

    __tablename__ = "expected_starters"
    __table_args__ = (UniqueConstraint("school_id", "pupil_key", name="uq_expected_starters_school_pupil"),
                      Index("ix_expected_starters_status_first_day", "status", "first_day"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    pupil_key: Mapped[str] = mapped_column(String(40))  # a hash of the pupil's name, birth and first day
    pupil: Mapped[dict]
    previous_school: Mapped[str] = mapped_column(Text, default="")
    first_day: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    arrived_on: Mapped[date | None] = mapped_column(Date)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    case_reference: Mapped[str] = mapped_column(String(20), default="")
    card_conversation_id: Mapped[str | None] = mapped_column(String(300))
    card_activity_id: Mapped[str | None] = mapped_column(String(300))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(Integer, default=1)


class ExpectedStarterEvent(HistoryEntry, Base):
    """An expected starter's append-only history: who recorded, imported, saw arrive or made a case, and when."""

    __tablename__ = "expected_starter_events"

    starter_id: Mapped[int] = mapped_column(ForeignKey("expected_starters.id"), index=True, sort_order=-1)
