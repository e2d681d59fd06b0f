"""deletion returns (regulation 13(4)): a school's return to its authority, for a CME case or not, with when it was
sent and acknowledged and by whom; and its append-only history, refused UPDATE and DELETE by triggers

Revision ID: 0007_deletion_returns
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_deletion_returns"
down_revision = "0005"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
EVENTS = "deletion_return_events"


def upgrade() -> None:
    op.create_table(
        "deletion_returns",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("school_id", sa.Integer(), sa.ForeignKey("schools.id"), nullable=False),
        sa.Column("authority_id", sa.Integer(), sa.ForeignKey("authorities.id"), nullable=False),
        sa.Column("case_id", BIG_ID, sa.ForeignKey("cases.id"), nullable=True),
        sa.Column("ground", sa.String(length=4), nullable=False),
        sa.Column("deletion_on", sa.Date(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("submission_key", sa.String(length=64), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_by", sa.String(length=64), nullable=False),
        sa.Column("sent_by_name", sa.String(length=200), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=64), nullable=True),
        sa.Column("acknowledged_by_name", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("submission_key"),
    )
    op.create_index("ix_deletion_returns_school", "deletion_returns", ["school_id", "id"])
    op.create_index("ix_deletion_returns_outstanding", "deletion_returns", ["authority_id", "acknowledged_at"])
    op.create_index("ix_deletion_returns_case_id", "deletion_returns", ["case_id"])
    op.create_table(
        EVENTS,
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("return_id", BIG_ID, sa.ForeignKey("deletion_returns.id"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_aad_object_id", sa.String(length=64), nullable=False),
        sa.Column("actor_name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("return_id", "key", name="uq_deletion_return_events_key"),
    )
    op.create_index("ix_deletion_return_events_return_id", EVENTS, ["return_id"])
    _append_only()


def _append_only() -> None:
    """As the case history (0001): the database refuses to change or remove an entry."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE OR REPLACE FUNCTION refuse_change() RETURNS trigger AS $$ BEGIN "
                   "RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END; $$ LANGUAGE plpgsql")
        op.execute(f"CREATE TRIGGER {EVENTS}_append_only BEFORE UPDATE OR DELETE ON {EVENTS} "
                   "FOR EACH ROW EXECUTE FUNCTION refuse_change()")
        op.execute(f"CREATE TRIGGER {EVENTS}_no_truncate BEFORE TRUNCATE ON {EVENTS} "
                   "FOR EACH STATEMENT EXECUTE FUNCTION refuse_change()")
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER {EVENTS}_no_{verb.lower()} BEFORE {verb} ON {EVENTS} "
                       f"BEGIN SELECT RAISE(ABORT, '{EVENTS} is append-only'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {EVENTS}_append_only ON {EVENTS}")
        op.execute(f"DROP TRIGGER IF EXISTS {EVENTS}_no_truncate ON {EVENTS}")
    op.drop_index("ix_deletion_return_events_return_id", table_name=EVENTS)
    op.drop_table(EVENTS)
    op.drop_index("ix_deletion_returns_case_id", table_name="deletion_returns")
    op.drop_index("ix_deletion_returns_outstanding", table_name="deletion_returns")
    op.drop_index("ix_deletion_returns_school", table_name="deletion_returns")
    op.drop_table("deletion_returns")
