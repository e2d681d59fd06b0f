"""`my cases` at any scale: each case keeps the earliest due date of its milestones not done (`open_due_on`, kept
by triggers on milestones, whoever writes them), and the open cases of a school and of an authority are indexed by
it and in the order the page shows those with nothing overdue (Day 1, then reference); so a page reads the twenty
cases it shows, not every open case counted and sorted

Partial indexes (open cases only), which SQLite and PostgreSQL both have: the closed cases, which grow without
end, are not in them.

Revision ID: 0013_open_case_order
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_open_case_order"
down_revision = "0012"
branch_labels = None
depends_on = None

OPEN = sa.text("closed_at IS NULL")
EARLIEST = "(SELECT min(due_on) FROM milestones WHERE case_id = {case} AND done_on IS NULL)"
INDEXES = (("ix_cases_school_open_due", "school_id", "open_due_on"),
           ("ix_cases_authority_open_due", "authority_id", "open_due_on"),
           ("ix_cases_school_open_order", "school_id", "run_start", "reference"),
           ("ix_cases_authority_open_order", "authority_id", "run_start", "reference"))
SQLITE_TRIGGERS = (
    ("milestones_open_due_insert", "AFTER INSERT", f"UPDATE cases SET open_due_on = {EARLIEST.format(case='NEW.case_id')} "
                                                   "WHERE id = NEW.case_id;"),
    ("milestones_open_due_update", "AFTER UPDATE", f"UPDATE cases SET open_due_on = {EARLIEST.format(case='cases.id')} "
                                                   "WHERE id IN (OLD.case_id, NEW.case_id);"),
    ("milestones_open_due_delete", "AFTER DELETE", f"UPDATE cases SET open_due_on = {EARLIEST.format(case='OLD.case_id')} "
                                                   "WHERE id = OLD.case_id;"),
)
POSTGRES_FUNCTION = f"""CREATE FUNCTION cases_open_due() RETURNS trigger AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    UPDATE cases SET open_due_on = {EARLIEST.format(case='OLD.case_id')} WHERE id = OLD.case_id;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    UPDATE cases SET open_due_on = {EARLIEST.format(case='NEW.case_id')} WHERE id = NEW.case_id;
  END IF;
  RETURN NULL;
END; $$ LANGUAGE plpgsql"""


# Plain ALTER TABLE on both databases, not a rebuilt table (batch_alter_table): on SQLite a rebuild drops the old
# `cases`, which the history, milestones and claims reference (as 0009 explains). Indexes go before the column.


def upgrade() -> None:
    op.add_column("cases", sa.Column("open_due_on", sa.Date(), nullable=True))
    op.execute(f"UPDATE cases SET open_due_on = {EARLIEST.format(case='cases.id')}")
    for name, *columns in INDEXES:
        op.create_index(name, "cases", columns, sqlite_where=OPEN, postgresql_where=OPEN)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRES_FUNCTION)
        op.execute("CREATE TRIGGER milestones_open_due AFTER INSERT OR UPDATE OR DELETE ON milestones "
                   "FOR EACH ROW EXECUTE FUNCTION cases_open_due()")
    else:
        for name, when, body in SQLITE_TRIGGERS:
            op.execute(f"CREATE TRIGGER {name} {when} ON milestones BEGIN {body} END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER milestones_open_due ON milestones")
        op.execute("DROP FUNCTION cases_open_due()")
    else:
        for name, _, _ in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
    for name, *_ in reversed(INDEXES):
        op.drop_index(name, table_name="cases")
    op.execute("ALTER TABLE cases DROP COLUMN open_due_on")
