"""What each card posted about a case said, for subject access (issue 17 item 6): `card_messages` gains the text a
person read on it and the kind of conversation it was in. A card updated in place gets a row a version (the same
activity id), so what was shown before an update is not lost; erasure blanks them all with the case.

Plain ALTER TABLE on both databases (nullable columns, no rebuild of the table): rows from before keep no text.

Revision ID: 0014_card_texts
Revises: 0013_open_case_order
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_card_texts"
down_revision = "0013_open_case_order"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("card_messages", sa.Column("conversation_kind", sa.String(length=20), nullable=True))
    op.add_column("card_messages", sa.Column("text", sa.Text(), nullable=True))


def downgrade() -> None:
    op.execute("ALTER TABLE card_messages DROP COLUMN text")
    op.execute("ALTER TABLE card_messages DROP COLUMN conversation_kind")
