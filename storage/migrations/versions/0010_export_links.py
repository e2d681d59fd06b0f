"""export links: a download offered in a personal chat (the register, the census, the returns) is a row holding its
token's hash, who asked, what and in which format, when it expires and when it was used (once)

Revision ID: 0010_export_links
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_export_links"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "export_links",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("aad_object_id", sa.String(length=64), nullable=False),
        sa.Column("person_name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_export_links_expires_at", "export_links", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_export_links_expires_at", table_name="export_links")
    op.drop_table("export_links")
