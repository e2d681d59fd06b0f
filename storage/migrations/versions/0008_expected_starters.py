"""expected starters: a pupil a school expects from an agreed first day, arrived (the new pupil return) or, not
arrived within 5 school days, a CME case; with their append-only history

Revision ID: 0008_expected_starters
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_expected_starters"
down_revision = "0005"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
EVENTS = "expected_starter_events"


def upgrade() -> None:
    op.create_table(
        "expected_starters",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("pupil_key", sa.String(length=40), nullable=False),
        sa.Column("pupil", sa.JSON(), nullable=False),
        sa.Column("previous_school", sa.Text(), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("arrived_on", sa.Date(), nullable=True),
        sa.Column("case_id", BIG_ID, nullable=True),
        sa.Column("case_reference", sa.String(length=20), nullable=False),
        sa.Column("card_conversation_id", sa.String(length=300), nullable=True),
        sa.Column("card_activity_id", sa.String(length=300), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["school_id"], ["schools.id"]),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("school_id", "pupil_key", name="uq_expected_starters_school_pupil"),
    )
    op.create_index("ix_expected_starters_status_first_day", "expected_starters", ["status", "first_day"])
    op.create_table(
        EVENTS,
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("starter_id", BIG_ID, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_aad_object_id", sa.String(length=64), nullable=False),
        sa.Column("actor_name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["starter_id"], ["expected_starters.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_expected_starter_events_starter_id"), EVENTS, ["starter_id"])
    _append_only(EVENTS)


def _append_only(table: str) -> None:
    """As the case history (revision 0001): the database refuses UPDATE and DELETE."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE OR REPLACE FUNCTION refuse_change() RETURNS trigger AS $$ BEGIN "
                   "RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END; $$ LANGUAGE plpgsql")
        op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                   "FOR EACH ROW EXECUTE FUNCTION refuse_change()")
        op.execute(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                   "FOR EACH STATEMENT EXECUTE FUNCTION refuse_change()")
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                       f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END")


def downgrade() -> None:
    op.drop_index(op.f("ix_expected_starter_events_starter_id"), table_name=EVENTS)
    op.drop_table(EVENTS)  # its triggers go with it
    op.drop_index("ix_expected_starters_status_first_day", table_name="expected_starters")
    op.drop_table("expected_starters")
