"""The register's filters at any scale (issue 18 item 1): a filtered page walks an index of the children that filter
keeps, in the register's order (first day of absence, id), not every child on the register.

- stage, school (or no school) and reason: an index each on cases, (authority, that column, first day, id);
- at-risk group: `case_risk_groups`, a row for each group of each child on the register, with the case's authority
  and first day of absence, kept by triggers on cases whoever writes them, and filled from the cases there are;
- overdue only and missing at least N weeks need none: the first is checked on the rows an index walk reads (a
  page looks at a bounded number of them, storage/register.py), the second is a range of the first day itself.

Revision ID: 0015_register_filters
Revises: 0014_card_texts
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_register_filters"
down_revision = "0014_card_texts"
branch_labels = None
depends_on = None

INDEXES = (("ix_cases_register_stage", "authority_id", "state", "first_day_absent", "id"),
           ("ix_cases_register_school", "authority_id", "school_id", "first_day_absent", "id"),
           ("ix_cases_register_reason", "authority_id", "reason", "first_day_absent", "id"))
COLUMNS = "case_id, authority_id, risk_group, first_day_absent"
NONE = "[]"  # most cases' groups, as the code writes them: no trigger runs for them
# Only the children on the register have rows (open, or out of provision: storage/register_walk.py on_register), so
# a page of one group reads no case to know it; the states as they are named today, as a migration must.
ON_REGISTER = "({case}.closed_at IS NULL OR {case}.state IN ('out_of_provision', 'not_located'))"
WATCHED = ("risk_groups", "authority_id", "first_day_absent", "closed_at", "state")
SQLITE_GROUPS = ("SELECT DISTINCT {case}.id, {case}.authority_id, groups.value, {case}.first_day_absent "
                 "FROM json_each({case}.risk_groups) AS groups WHERE groups.type = 'text' AND " + ON_REGISTER)
SQLITE_TRIGGERS = (
    ("cases_risk_groups_insert",
     f"AFTER INSERT ON cases WHEN NEW.risk_groups <> '{NONE}' AND {ON_REGISTER.format(case='NEW')}",
     f"INSERT INTO case_risk_groups ({COLUMNS}) {SQLITE_GROUPS.format(case='NEW')};"),
    ("cases_risk_groups_update", f"AFTER UPDATE OF {', '.join(WATCHED)} ON cases "
     f"WHEN {' OR '.join(f'NEW.{column} IS NOT OLD.{column}' for column in WATCHED)}",
     f"DELETE FROM case_risk_groups WHERE case_id = OLD.id; "
     f"INSERT INTO case_risk_groups ({COLUMNS}) {SQLITE_GROUPS.format(case='NEW')};"),
)
POSTGRES_GROUPS = ("SELECT DISTINCT {case}.id, {case}.authority_id, groups.value, {case}.first_day_absent "
                   "FROM json_array_elements_text(CASE WHEN json_typeof({case}.risk_groups) = 'array' "
                   "THEN {case}.risk_groups ELSE '[]'::json END) AS groups(value) WHERE " + ON_REGISTER)
CHANGED = " OR ".join(f"OLD.{column}{'::text' if column == 'risk_groups' else ''} IS DISTINCT FROM "
                      f"NEW.{column}{'::text' if column == 'risk_groups' else ''}" for column in WATCHED)
POSTGRES_FUNCTION = f"""CREATE FUNCTION cases_risk_groups() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    DELETE FROM case_risk_groups WHERE case_id = OLD.id;
  END IF;
  INSERT INTO case_risk_groups ({COLUMNS}) {POSTGRES_GROUPS.format(case='NEW')};
  RETURN NULL;
END; $$ LANGUAGE plpgsql"""
POSTGRES_TRIGGERS = (
    ("cases_risk_groups_insert", f"AFTER INSERT ON cases FOR EACH ROW WHEN (NEW.risk_groups::text <> '{NONE}' "
                                 f"AND {ON_REGISTER.format(case='NEW')})"),
    ("cases_risk_groups_update", f"AFTER UPDATE OF {', '.join(WATCHED)} ON cases FOR EACH ROW WHEN ({CHANGED})"),
)


def upgrade() -> None:
    for name, *columns in INDEXES:
        op.create_index(name, "cases", columns)
    op.create_table(
        "case_risk_groups",
        sa.Column("case_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                  sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
        sa.Column("risk_group", sa.String(length=60), nullable=False),
        sa.Column("authority_id", sa.Integer(), nullable=True),
        sa.Column("first_day_absent", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("case_id", "risk_group"),
    )
    op.create_index("ix_case_risk_groups_register", "case_risk_groups",
                    ["authority_id", "risk_group", "first_day_absent", "case_id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"INSERT INTO case_risk_groups ({COLUMNS}) "
                   f"{POSTGRES_GROUPS.format(case='cases').replace('FROM ', 'FROM cases CROSS JOIN LATERAL ', 1)}")
        op.execute(POSTGRES_FUNCTION)
        for name, when in POSTGRES_TRIGGERS:
            op.execute(f"CREATE TRIGGER {name} {when} EXECUTE FUNCTION cases_risk_groups()")
    else:
        op.execute(f"INSERT INTO case_risk_groups ({COLUMNS}) "
                   f"{SQLITE_GROUPS.format(case='cases').replace('FROM ', 'FROM cases, ', 1)}")
        for name, when, body in SQLITE_TRIGGERS:
            op.execute(f"CREATE TRIGGER {name} {when} BEGIN {body} END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, _ in POSTGRES_TRIGGERS:
            op.execute(f"DROP TRIGGER {name} ON cases")
        op.execute("DROP FUNCTION cases_risk_groups()")
    else:
        for name, _, _ in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
    op.drop_index("ix_case_risk_groups_register", table_name="case_risk_groups")
    op.drop_table("case_risk_groups")
    for name, *_ in reversed(INDEXES):
        op.drop_index(name, table_name="cases")
