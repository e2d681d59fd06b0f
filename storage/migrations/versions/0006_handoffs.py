"""hand-offs between local authorities (policy 8.4.2): a child located in another authority's area, handed to it

One row per hand-off: to an authority on this deployment (pending until one of its tracking officers accepts: who
and when), or to one that is not (pending until the officer records the notification as sent by secure e-mail).
The daily job reminds of the pending ones through ix_handoffs_pending.

Revision ID: 0006_handoffs
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_handoffs"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "handoffs",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("case_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("from_authority_id", sa.Integer(), nullable=True),
        sa.Column("from_name", sa.String(length=200), nullable=False),
        sa.Column("to_authority_id", sa.Integer(), nullable=True),
        sa.Column("to_name", sa.String(length=200), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("sent_by", sa.String(length=64), nullable=False),
        sa.Column("sent_by_name", sa.String(length=200), nullable=False),
        sa.Column("sent_key", sa.String(length=100), nullable=False),
        sa.Column("accepted_on", sa.Date(), nullable=True),
        sa.Column("accepted_by", sa.String(length=64), nullable=True),
        sa.Column("accepted_by_name", sa.String(length=200), nullable=True),
        sa.Column("notified_on", sa.Date(), nullable=True),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.ForeignKeyConstraint(["from_authority_id"], ["authorities.id"]),
        sa.ForeignKeyConstraint(["to_authority_id"], ["authorities.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "sent_key", name="uq_handoffs_case_sent"),
    )
    op.create_index("ix_handoffs_case_id", "handoffs", ["case_id"])
    op.create_index("ix_handoffs_pending", "handoffs", ["done_on", "to_authority_id"])


def downgrade() -> None:
    op.drop_index("ix_handoffs_pending", table_name="handoffs")
    op.drop_index("ix_handoffs_case_id", table_name="handoffs")
    op.drop_table("handoffs")
