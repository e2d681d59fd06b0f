"""the register's walk in its order answers its checks from the index: (authority, first day of absence, id) also
holds what a page checks on each row it reads (open_due_on for "overdue only", closed_at and state for "on the
register"), so at 50,000 children a count or a search of 1,000 rows reads no case row, only the lines it shows

It replaces ix_cases_register (0005), its first three columns: every walk of that index walks this one.

Revision ID: 0019
Revises: 0017
"""

from alembic import op

revision = "0019"
down_revision = "0017"
branch_labels = None
depends_on = None

COLUMNS = ["authority_id", "first_day_absent", "id", "open_due_on", "closed_at", "state"]


def upgrade() -> None:
    op.create_index("ix_cases_register_checked", "cases", COLUMNS)
    op.drop_index("ix_cases_register", table_name="cases")


def downgrade() -> None:
    op.create_index("ix_cases_register", "cases", COLUMNS[:3])
    op.drop_index("ix_cases_register_checked", table_name="cases")
