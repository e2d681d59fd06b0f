"""the authority's register: keyset pages walk (authority, first day of absence, id); children removed from roll
before the register stay on it, out of provision

Until this revision "Confirm removed" closed the case. Now the authority keeps the child on its register until its
tracking officer records where the child is (cme/tracking.py), so each case closed as removed from roll is moved to
out of provision, with an entry in its history saying so.

Revision ID: 0005
Revises: 0004
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

REMOVED = "state = 'closed' AND outcome = 'removed_from_roll'"


def upgrade() -> None:
    op.create_index("ix_cases_register", "cases", ["authority_id", "first_day_absent", "id"])
    bind = op.get_bind()
    removed = bind.execute(sa.text(f"SELECT id FROM cases WHERE {REMOVED}")).scalars().all()
    if not removed:
        return
    event = sa.text("INSERT INTO case_events (case_id, at, actor_aad_object_id, actor_name, kind, data, key) "
                    "VALUES (:case_id, :at, 'upgrade', 'Upgrade (migration 0005)', 'kept_on_register', :data, "
                    "'migration-0005')").bindparams(sa.bindparam("at", type_=sa.DateTime(timezone=True)),
                                                    sa.bindparam("data", type_=sa.JSON))
    now = datetime.now(UTC)
    bind.execute(event, [{"case_id": case_id, "at": now, "data": {"state": "out_of_provision"}}
                         for case_id in removed])
    bind.execute(sa.text(f"UPDATE cases SET state = 'out_of_provision', version = version + 1 WHERE {REMOVED}"))


def downgrade() -> None:
    op.execute("UPDATE cases SET state = 'closed' WHERE state IN ('out_of_provision', 'not_located')")
    op.drop_index("ix_cases_register", table_name="cases")
