"""issues 16 and 17 together: hand-offs, deletion returns, expected starters, the pupil's sex, export links,
retention and case views were written side by side, each on 0005 and each touching only its own tables (and
0009 one column of cases); this revision joins them, so a database has one head again

Revision ID: 0012
Revises: 0006_handoffs, 0007_deletion_returns, 0008_expected_starters, 0009_case_sex, 0010_export_links,
0011_retention_views
"""

revision = "0012"
down_revision = ("0006_handoffs", "0007_deletion_returns", "0008_expected_starters", "0009_case_sex",
                 "0010_export_links", "0011_retention_views")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
