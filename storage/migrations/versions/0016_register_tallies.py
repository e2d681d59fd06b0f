"""`stats` and the COPP panel at any scale: an authority's counts kept in `register_tallies` by triggers on `cases`
(whoever writes them), so a page sums a few tally rows instead of counting every case; and the indexes that let the
panel read only the lines it shows (new since, and the children on the register in the order it lists them).

A tally is (authority, kind, key): n cases. The kinds and their keys (dates as ISO text, times in UTC):

- on the register (open, or out of provision after removal): `state`, `reason` ('unknown' when none), `group` (each
  at-risk group), `first_day` (Day 1: the weeks-missing buckets are sums over dates), `created_on_register` (the
  hour it was reported);
- every case: `opened` (its month), `created` (its hour: new since a sitting, summed from local midnight);
- closed: `closed` (its month), `located` (closed with an outcome that found the child: 'closing day|school|Day 1',
  so the time to locate counts school days once per triple);
- open: `due` (the earliest due date of its milestones not done, `open_due_on`: overdue is the sum before today).

The rows grow with days, schools and keys, not with cases. A write of a case only appends the changes of the tallies
whose key it changed to `register_tally_changes` (+1, -1); storage/tallies.py adds them to the tallies when they are
many. Appending, two reports in one authority at once lock no row in common (an upsert of the shared tallies would
hold them until the end of each transaction), and a load of thousands of cases in one transaction stays linear
(on PostgreSQL each update of one row in one transaction leaves a version its index lookups walk past).

Revision ID: 0016_register_tallies
Revises: 0014_card_texts
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_register_tallies"
down_revision = "0014_card_texts"
branch_labels = None
depends_on = None

TRACKING = "('out_of_provision', 'not_located')"
LOCATED = ("('returned_to_school', 'located_in_area', 'on_roll_elsewhere', 'located_outside_area', "
           "'elective_home_education', 'other_provision', 'left_england')")
ON_REGISTER = f"(closed_at IS NULL OR state IN {TRACKING})"
# (kind, key, when the row counts, a set to unnest); {r} is the row (NEW, OLD, or the table's alias).
SQLITE = {"day": "substr({r}.{c}, 1, 10)", "month": "substr({r}.{c}, 1, 7)", "hour": "substr({r}.{c}, 1, 13)",
          "date": "{r}.{c}", "groups": "json_each({r}.risk_groups)", "school": "coalesce({r}.school_id, '')"}
POSTGRES = {"day": "to_char({r}.{c} AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
            "month": "to_char({r}.{c} AT TIME ZONE 'UTC', 'YYYY-MM')",
            "hour": "to_char({r}.{c} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24')",
            "date": "to_char({r}.{c}, 'YYYY-MM-DD')",
            "groups": "json_array_elements_text(CASE WHEN json_typeof({r}.risk_groups) = 'array' "
                      "THEN {r}.risk_groups ELSE '[]'::json END)",
            "school": "coalesce({r}.school_id::text, '')"}
REGISTER, CLOSED = "({r}.closed_at IS NULL OR {r}.state IN " + TRACKING + ")", "{r}.closed_at IS NOT NULL"
KINDS = (
    ("state", "{r}.state", REGISTER),
    ("reason", "coalesce(nullif({r}.reason, ''), 'unknown')", REGISTER),
    ("group", "g.value", REGISTER),
    ("first_day", "{date:first_day_absent}", REGISTER),
    ("created_on_register", "{hour:created_at}", REGISTER),
    ("opened", "{month:created_at}", "true"),
    ("created", "{hour:created_at}", "true"),
    ("closed", "{month:closed_at}", CLOSED),
    ("located", "{day:closed_at} || '|' || {school} || '|' || {date:first_day_absent}",
     CLOSED + " AND {r}.outcome IN " + LOCATED),
    ("due", "{date:open_due_on}", "{r}.closed_at IS NULL AND {r}.open_due_on IS NOT NULL"),
)
# The columns whose change can move a case between tallies: an update of none of them writes no tally.
COLUMNS = ("authority_id", "state", "reason", "first_day_absent", "created_at", "closed_at", "outcome", "school_id",
           "open_due_on")
COUNTED = "SELECT a, k, key, sum(d) FROM ({keys}) AS t WHERE a IS NOT NULL GROUP BY a, k, key HAVING sum(d) <> 0"
APPEND = "INSERT INTO register_tally_changes (authority_id, kind, key, n) " + COUNTED
INDEXES = (("ix_cases_authority_created", ("authority_id", "created_at", "id"), None),
           ("ix_cases_register_order", ("authority_id", "run_start", "reference"), ON_REGISTER))


def _expression(template: str, words: dict, row: str) -> str:
    """`{day:closed_at}` and the like in a key, in the dialect's words, for the row."""
    for name, word in words.items():
        for column in ("created_at", "closed_at", "first_day_absent", "open_due_on"):
            template = template.replace(f"{{{name}:{column}}}", word.format(r="{r}", c=column))
        template = template.replace(f"{{{name}}}", word)
    return template.format(r=row)


def keys(words: dict, row: str, delta: int, table: str | None = None) -> str:
    """Each tally a row counts in, as (a, k, key, d) rows; from `table` (aliased `row`) for the backfill."""
    parts = []
    for kind, key, when in KINDS:
        sources = ([f"{table} AS {row}"] if table else []) + ([words["groups"].format(r=row) + " AS g"]
                                                               if kind == "group" else [])
        parts.append(f"SELECT {row}.authority_id AS a, '{kind}' AS k, {_expression(key, words, row)} AS key, "
                     f"{delta} AS d" + (f" FROM {', '.join(sources)}" if sources else "")
                     + f" WHERE {_expression(when, words, row)}")
    return " UNION ALL ".join(parts)


def _changed(row_type: str = "") -> str:
    return " OR ".join(f"OLD.{c}{row_type} IS DISTINCT FROM NEW.{c}{row_type}" for c in COLUMNS)


def _sqlite_changed() -> str:
    return " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in COLUMNS) + " OR OLD.risk_groups IS NOT NEW.risk_groups"


def _postgres_function() -> str:
    return f"""CREATE FUNCTION cases_tallies() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    {APPEND.format(keys=keys(POSTGRES, 'NEW', 1))};
  ELSIF TG_OP = 'DELETE' THEN
    {APPEND.format(keys=keys(POSTGRES, 'OLD', -1))};
  ELSE
    {APPEND.format(keys=keys(POSTGRES, 'NEW', 1) + ' UNION ALL ' + keys(POSTGRES, 'OLD', -1))};
  END IF;
  RETURN NULL;
END; $$ LANGUAGE plpgsql"""


SQLITE_TRIGGERS = (
    ("cases_tallies_insert", "AFTER INSERT", APPEND.format(keys=keys(SQLITE, "NEW", 1))),
    ("cases_tallies_update", f"AFTER UPDATE ON cases WHEN {_sqlite_changed()}",
     APPEND.format(keys=keys(SQLITE, "NEW", 1) + " UNION ALL " + keys(SQLITE, "OLD", -1))),
    ("cases_tallies_delete", "AFTER DELETE", APPEND.format(keys=keys(SQLITE, "OLD", -1))),
)


def upgrade() -> None:
    op.create_table(
        "register_tally_changes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("authority_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_register_tally_changes"),
    )
    op.create_index("ix_register_tally_changes", "register_tally_changes", ["authority_id", "kind", "key"])
    op.create_table(
        "register_tallies",
        sa.Column("authority_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("authority_id", "kind", "key", name="pk_register_tallies"),
    )
    for name, columns, where in INDEXES:
        where = sa.text(where) if where else None
        op.create_index(name, "cases", list(columns), sqlite_where=where, postgresql_where=where)
    postgres = op.get_bind().dialect.name == "postgresql"
    op.execute("INSERT INTO register_tallies (authority_id, kind, key, n) "
               + COUNTED.format(keys=keys(POSTGRES if postgres else SQLITE, "c", 1, table="cases")))
    if postgres:
        # Its rows are deleted as they are added to the tallies: vacuumed after every thousand, not a fifth of the
        # table, so that reads do not walk past the index entries of rows long gone.
        op.execute("ALTER TABLE register_tally_changes SET (autovacuum_vacuum_scale_factor = 0, "
                   "autovacuum_vacuum_threshold = 1000, autovacuum_analyze_scale_factor = 0, "
                   "autovacuum_analyze_threshold = 1000)")
        op.execute(_postgres_function())
        op.execute("CREATE TRIGGER cases_tallies AFTER INSERT OR DELETE ON cases "
                   "FOR EACH ROW EXECUTE FUNCTION cases_tallies()")
        op.execute(f"CREATE TRIGGER cases_tallies_update AFTER UPDATE ON cases FOR EACH ROW "
                   f"WHEN ({_changed()} OR OLD.risk_groups::text IS DISTINCT FROM NEW.risk_groups::text) "
                   "EXECUTE FUNCTION cases_tallies()")
    else:
        for name, when, body in SQLITE_TRIGGERS:
            on = "" if " ON cases" in when else " ON cases"
            op.execute(f"CREATE TRIGGER {name} {when}{on} BEGIN {body}; END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER cases_tallies_update ON cases")
        op.execute("DROP TRIGGER cases_tallies ON cases")
        op.execute("DROP FUNCTION cases_tallies()")
    else:
        for name, _, _ in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
    for name, *_ in reversed(INDEXES):
        op.drop_index(name, table_name="cases")
    op.drop_table("register_tallies")
    op.drop_index("ix_register_tally_changes", table_name="register_tally_changes")
    op.drop_table("register_tally_changes")
