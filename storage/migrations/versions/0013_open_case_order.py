"""`my cases` at any scale: the open cases of a school, and of an authority, indexed in the order the page shows
those with nothing overdue (Day 1, then reference), so a page reads twenty of them rather than sorting them all

Partial indexes (open cases only), which SQLite and PostgreSQL both have; the closed cases, which grow without
end, are not in them.

Revision ID: 0013_open_case_order
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_open_case_order"
down_revision = "0012"
branch_labels = None
depends_on = None

OPEN = sa.text("closed_at IS NULL")


def upgrade() -> None:
    op.create_index("ix_cases_school_open_order", "cases", ["school_id", "run_start", "reference"],
                    sqlite_where=OPEN, postgresql_where=OPEN)
    op.create_index("ix_cases_authority_open_order", "cases", ["authority_id", "run_start", "reference"],
                    sqlite_where=OPEN, postgresql_where=OPEN)


def downgrade() -> None:
    op.drop_index("ix_cases_authority_open_order", table_name="cases")
    op.drop_index("ix_cases_school_open_order", table_name="cases")
