"""the pupil's sex on each case, for the DfE children missing education census (female, male or not known)

The report form asks it from now on; a case reported before is "not_known" (nobody was asked), which the census
counts as such rather than guessing from a name.

Revision ID: 0009_case_sex
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_case_sex"
down_revision = "0005"
branch_labels = None
depends_on = None


# Plain ALTER TABLE on both databases, not alembic's rebuilt table (batch_alter_table): on SQLite a rebuild drops
# the old `cases`, which the history, milestones and claims reference, and its triggers (as 0004 explains).


def upgrade() -> None:
    op.add_column("cases", sa.Column("sex", sa.String(length=20), nullable=False, server_default="not_known"))


def downgrade() -> None:
    op.execute("ALTER TABLE cases DROP COLUMN sex")
