"""issue 18's register filters (0015) and register tallies (0016) were written side by side, each on 0014 and each
touching only its own tables, indexes and triggers; this revision joins them, so a database has one head again

Revision ID: 0017
Revises: 0015_register_filters, 0016_register_tallies
"""

revision = "0017"
down_revision = ("0015_register_filters", "0016_register_tallies")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
