"""authorities as tenants: every school, case and officer's role belongs to one local authority, with its own channel

Existing data goes to one authority, named as the schools named theirs (the most common name), with the
local authority channel that was a setting. Existing grants of EWS officers, tracking officers and agency
referrers go to it; administrators stay deployment-wide; school staff belong to their school's authority.

Revision ID: 0004
Revises: 0003
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

AUTHORITY_CHANNEL = "authority_reminders_channel_id"
SCOPED_ROLES = ("ews_officer", "tracking_officer", "agency_referrer")


def upgrade() -> None:
    op.create_table(
        "authorities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("channel_id", sa.String(length=300), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    # Plain ALTER TABLE ... ADD COLUMN ... REFERENCES on both databases, not alembic's rebuilt tables:
    # on SQLite, with foreign keys on, dropping the old `schools` would cascade to everyone's roles.
    _add_reference("schools", "authorities (id)")
    _add_reference("roles", "authorities (id)")
    _add_reference("cases", "authorities (id)")
    op.create_index("ix_schools_authority_id", "schools", ["authority_id"])
    op.create_index("ix_cases_authority_open", "cases", ["authority_id", "closed_at"])
    _existing_data_to_one_authority()
    op.execute("ALTER TABLE schools DROP COLUMN authority")


def _add_reference(table: str, references: str) -> None:
    op.execute(f"ALTER TABLE {table} ADD COLUMN authority_id INTEGER REFERENCES {references}")


def _existing_data_to_one_authority() -> None:
    bind = op.get_bind()
    channel = bind.execute(sa.text("SELECT value FROM settings WHERE key = :key"),
                           {"key": AUTHORITY_CHANNEL}).scalar()
    names = bind.execute(sa.text("SELECT authority, COUNT(*) AS n FROM schools GROUP BY authority "
                                 "ORDER BY n DESC, authority")).all()
    anything = names or channel or bind.execute(sa.text("SELECT 1 FROM roles UNION SELECT 1 FROM cases")).first()
    if not anything:
        return
    name = (names[0][0] if names else "") or "Local authority"
    authorities = sa.table("authorities", sa.column("name"), sa.column("channel_id"),
                           sa.column("created_at", sa.DateTime(timezone=True)))
    bind.execute(authorities.insert().values(name=name[:200], channel_id=channel, created_at=datetime.now(UTC)))
    authority_id = bind.execute(sa.text("SELECT id FROM authorities WHERE name = :name"), {"name": name[:200]}).scalar()
    bind.execute(sa.text("UPDATE schools SET authority_id = :a"), {"a": authority_id})
    bind.execute(sa.text("UPDATE cases SET authority_id = :a"), {"a": authority_id})
    bind.execute(sa.text("UPDATE roles SET authority_id = :a WHERE role IN ('ews_officer', 'tracking_officer', "
                         "'agency_referrer')"), {"a": authority_id})
    bind.execute(sa.text("DELETE FROM settings WHERE key = :key"), {"key": AUTHORITY_CHANNEL})


def downgrade() -> None:
    """Back to one unnamed authority. On SQLite the tables are rebuilt: with data, back up first (dropping
    the old `schools` with foreign keys on would cascade to the roles)."""
    bind = op.get_bind()
    op.add_column("schools", sa.Column("authority", sa.String(length=200), nullable=False, server_default=""))
    bind.execute(sa.text("UPDATE schools SET authority = COALESCE((SELECT name FROM authorities "
                         "WHERE authorities.id = schools.authority_id), '')"))
    channel = bind.execute(sa.text("SELECT channel_id FROM authorities WHERE channel_id IS NOT NULL "
                                   "ORDER BY id")).scalar()
    if channel:
        bind.execute(sa.text("INSERT INTO settings (key, value) VALUES (:key, :value)"),
                     {"key": AUTHORITY_CHANNEL, "value": channel})
    op.drop_index("ix_cases_authority_open", table_name="cases")
    op.drop_index("ix_schools_authority_id", table_name="schools")
    for table in ("cases", "roles", "schools"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("authority_id")
    with op.batch_alter_table("schools") as batch_op:
        batch_op.alter_column("authority", server_default=None)
    op.drop_table("authorities")
