"""a milestone written for a case moves its `open_due_on` only when it is earlier: a new case is written with its
earliest due date already (storage/cases.py), so its Day 5 and Day 20 no longer rewrite the case row they belong to

Revision 0013's triggers set `open_due_on` to the earliest due date of the case's milestones not done on every insert
of a milestone, a rewrite of the case row even when nothing changed (on PostgreSQL a new version of it, and its tally
trigger asked). A milestone inserted not done can only make the earliest due date earlier, or set it where there was
none; one inserted done changes nothing. Updates and deletes still count again from the milestones.

Revision ID: 0020
Revises: 0019
"""

from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

EARLIER = ("UPDATE cases SET open_due_on = NEW.due_on WHERE id = NEW.case_id AND NEW.done_on IS NULL "
           "AND (open_due_on IS NULL OR open_due_on > NEW.due_on)")
EARLIEST = "(SELECT min(due_on) FROM milestones WHERE case_id = {case} AND done_on IS NULL)"
POSTGRES_FUNCTION = """CREATE OR REPLACE FUNCTION cases_open_due() RETURNS trigger AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    UPDATE cases SET open_due_on = {old} WHERE id = OLD.case_id;
  END IF;
  IF TG_OP = 'INSERT' THEN
    {insert};
  ELSIF TG_OP <> 'DELETE' THEN
    UPDATE cases SET open_due_on = {new} WHERE id = NEW.case_id;
  END IF;
  RETURN NULL;
END; $$ LANGUAGE plpgsql"""


def _postgres(insert: str) -> str:
    return POSTGRES_FUNCTION.format(old=EARLIEST.format(case="OLD.case_id"), new=EARLIEST.format(case="NEW.case_id"),
                                    insert=insert)


def _sqlite_insert_trigger(body: str) -> None:
    op.execute("DROP TRIGGER milestones_open_due_insert")
    op.execute(f"CREATE TRIGGER milestones_open_due_insert AFTER INSERT ON milestones BEGIN {body}; END")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_postgres(EARLIER))
    else:
        _sqlite_insert_trigger(EARLIER)


def downgrade() -> None:
    counted = f"UPDATE cases SET open_due_on = {EARLIEST.format(case='NEW.case_id')} WHERE id = NEW.case_id"
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_postgres(counted))
    else:
        _sqlite_insert_trigger(counted)
