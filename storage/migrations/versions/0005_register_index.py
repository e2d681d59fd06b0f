"""the authority's register pages by (first day of absence, id) within an authority: keyset pages walk this index

Revision ID: 0005
Revises: 0004
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_cases_register", "cases", ["authority_id", "first_day_absent", "id"])


def downgrade() -> None:
    op.drop_index("ix_cases_register", table_name="cases")
