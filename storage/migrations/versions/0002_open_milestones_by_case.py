"""open milestones by case: `my cases` counts each listed case's overdue milestones from the index

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("milestones", schema=None) as batch_op:
        batch_op.create_index("ix_milestones_open_by_case", ["case_id", "due_on"], unique=False,
                              postgresql_where=sa.text("done_on IS NULL"), sqlite_where=sa.text("done_on IS NULL"))


def downgrade() -> None:
    with op.batch_alter_table("milestones", schema=None) as batch_op:
        batch_op.drop_index("ix_milestones_open_by_case", postgresql_where=sa.text("done_on IS NULL"),
                            sqlite_where=sa.text("done_on IS NULL"))
