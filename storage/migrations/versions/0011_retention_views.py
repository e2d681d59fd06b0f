"""retention, subject access and who looked: a case erased at the end of its retention keeps a tombstone
(case_erasures), and the history's append-only rule lets exactly that erasure through; case_views records who
opened a case card, when and from where

Until this revision the database refused every UPDATE and DELETE of case_events. Now it still refuses every DELETE,
and an UPDATE unless it is the erasure of storage/retention.py: the case has a row in case_erasures (written in the
same transaction, itself append-only), the event keeps its case, time, actor, kind and key, and its payload becomes
exactly {"erased": true}. Nothing else can change a history entry.

Revision ID: 0011_retention_views
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_retention_views"
down_revision = "0005"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

# The one UPDATE of a history entry allowed: its case erased, only its payload, and only to the tombstone.
_PG_ERASURE = (
    "EXISTS (SELECT 1 FROM case_erasures WHERE case_erasures.case_id = OLD.case_id) "
    "AND NEW.id = OLD.id AND NEW.case_id = OLD.case_id AND NEW.at = OLD.at "
    "AND NEW.actor_aad_object_id = OLD.actor_aad_object_id AND NEW.actor_name = OLD.actor_name "
    "AND NEW.kind = OLD.kind AND NEW.key IS NOT DISTINCT FROM OLD.key "
    "AND NEW.data::jsonb = '{\"erased\": true}'::jsonb"
)
_SQLITE_ERASURE = (
    "EXISTS (SELECT 1 FROM case_erasures WHERE case_erasures.case_id = OLD.case_id) "
    "AND NEW.id = OLD.id AND NEW.case_id = OLD.case_id AND NEW.at = OLD.at "
    "AND NEW.actor_aad_object_id = OLD.actor_aad_object_id AND NEW.actor_name = OLD.actor_name "
    "AND NEW.kind = OLD.kind AND NEW.key IS OLD.key "
    "AND json_valid(NEW.data) AND json_extract(NEW.data, '$.erased') = 1 "
    "AND (SELECT COUNT(*) FROM json_each(NEW.data)) = 1"
)  # NULL (a payload without "erased") counts as not the erasure: coalesce below


def upgrade() -> None:
    op.create_table(
        "case_erasures",
        sa.Column("case_id", BigId, nullable=False),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("erased_by", sa.String(length=200), nullable=False),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("retained_until", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("case_id"),
    )
    op.create_table(
        "case_views",
        sa.Column("id", BigId, nullable=False),
        sa.Column("case_id", BigId, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("viewer_aad_object_id", sa.String(length=64), nullable=False),
        sa.Column("viewer_name", sa.String(length=200), nullable=False),
        sa.Column("viewer_role", sa.String(length=40), nullable=False),
        sa.Column("inside_school", sa.Boolean(), nullable=False),
        sa.Column("place", sa.String(length=20), nullable=False),
        sa.Column("activity_id", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("activity_id", name="uq_case_views_activity"),
    )
    with op.batch_alter_table("case_views", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_views_case_id"), ["case_id"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE OR REPLACE FUNCTION case_events_append_only() RETURNS trigger AS $$ BEGIN "
            f"IF TG_OP = 'UPDATE' AND {_PG_ERASURE} THEN RETURN NEW; END IF; "
            "RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END; $$ LANGUAGE plpgsql"
        )
        op.execute("DROP TRIGGER case_events_append_only ON case_events")
        op.execute("CREATE TRIGGER case_events_append_only BEFORE UPDATE OR DELETE ON case_events "
                   "FOR EACH ROW EXECUTE FUNCTION case_events_append_only()")
        for table in ("case_erasures", "case_views"):
            op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION refuse_change()")
            op.execute(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                       "FOR EACH STATEMENT EXECUTE FUNCTION refuse_change()")
    else:
        op.execute("DROP TRIGGER case_events_no_update")
        op.execute(f"CREATE TRIGGER case_events_no_update BEFORE UPDATE ON case_events "
                   f"WHEN coalesce(({_SQLITE_ERASURE}), 0) = 0 "
                   "BEGIN SELECT RAISE(ABORT, 'case_events is append-only'); END")
        for table in ("case_erasures", "case_views"):
            for verb in ("UPDATE", "DELETE"):
                op.execute(f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                           f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END")


def downgrade() -> None:
    """The history is append-only again without exception; erased entries stay tombstones (nothing can bring back
    what was erased), and who looked is forgotten with its table."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER case_events_append_only ON case_events")
        op.execute("CREATE TRIGGER case_events_append_only BEFORE UPDATE OR DELETE ON case_events "
                   "FOR EACH ROW EXECUTE FUNCTION refuse_change()")
        op.execute("DROP FUNCTION case_events_append_only()")
    else:
        op.execute("DROP TRIGGER case_events_no_update")
        op.execute("CREATE TRIGGER case_events_no_update BEFORE UPDATE ON case_events "
                   "BEGIN SELECT RAISE(ABORT, 'case_events is append-only'); END")
    op.drop_index("ix_case_views_case_id", table_name="case_views")
    op.drop_table("case_views")
    op.drop_table("case_erasures")
