"""The export renderers (bot/exports/render.py): CSV a spreadsheet will not run, pages that show text inert, and
the registry's options."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime

import pytest

from bot.exports import ExportOption, Table, refusal_html, to_csv, to_html
from bot.exports.links import TOKEN, token_hash
from bot.exports.registry import ExportKind
from bot.exports.render import csv_cell

HOSTILE = "<script>alert(1)</script> & \"quotes\" 'single' <img src=x onerror=alert(2)>"


def table(*rows, **fields) -> Table:
    return Table(title=fields.pop("title", "Register: Example Borough Council"), columns=("Reference", "Name", "Since"),
                 rows=list(rows), **fields)


@pytest.mark.parametrize("dangerous", ["=1+1", "+44 7700 900000", "-2+3", "@SUM(A1)", "\t=1", "\r=1",
                                       "=HYPERLINK(\"http://evil.example\",\"x\")"])
def test_a_cell_a_spreadsheet_would_run_is_quoted(dangerous):
    rows = list(csv.reader(io.StringIO(to_csv(table(("CME-2026-0001", dangerous, date(2026, 11, 2)))))))
    assert rows[1][1] == "'" + dangerous


def test_ordinary_cells_are_unchanged_and_values_written_plainly():
    rows = list(csv.reader(io.StringIO(to_csv(table(
        ("CME-2026-0001", "Ava Example, \"Junior\"\nline two", date(2026, 11, 2)),
        ("CME-2026-0002", None, datetime(2026, 11, 2, 9, 30, tzinfo=UTC)),
        ("CME-2026-0003", -4, True))))))
    assert rows == [["Reference", "Name", "Since"],
                    ["CME-2026-0001", "Ava Example, \"Junior\"\nline two", "2026-11-02"],
                    ["CME-2026-0002", "", "2026-11-02T09:30+00:00"],
                    ["CME-2026-0003", "-4", "yes"]]  # a number we wrote is a number, not a formula
    assert csv_cell("Ava=Example") == "Ava=Example"


def test_the_page_escapes_everything_and_prints_well():
    page = to_html(table((HOSTILE, HOSTILE, HOSTILE), title=HOSTILE, notes=(HOSTILE,), footer=(HOSTILE,)),
                   asked_by=HOSTILE, asked_at=HOSTILE)
    assert "<script" not in page and "<img" not in page and "onerror=alert(2)>" not in page
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 9  # title, heading, who and when, note, 3 cells, footer
    assert "@media print" in page and "thead { display: table-header-group; }" in page and "@page" in page
    assert "OFFICIAL-SENSITIVE" in page and "1 line." in page
    assert re.search(r"<th scope=\"col\">Reference</th>", page)


def test_the_refusal_page_says_what_to_do_and_escapes():
    page = refusal_html("This link has expired", HOSTILE)
    assert "<script" not in page and "Ask the bot for a new link in your personal chat with it." in page


def test_a_row_of_the_wrong_width_is_a_mistake():
    with pytest.raises(ValueError, match="row 1"):
        table(("CME-2026-0001", "Ava Example"))


def test_a_file_name_is_made_safe():
    assert table(title="Register: Example Borough Council / ../x").stem == "register-example-borough-council-x"
    assert table(filename="register-2026-11-16").stem == "register-2026-11-16"


def test_a_kind_keeps_only_its_options_as_text():
    kind = ExportKind("k", "K", frozenset(), None, (ExportOption("stage"), ExportOption("overdue_only", flag=True)))
    assert kind.params_from({"stage": "reported", "overdue_only": True, "other": "x"}) == {
        "stage": "reported", "overdue_only": "true"}
    assert kind.params_from({"stage": "", "overdue_only": "false"}) == {}


def test_a_token_is_never_stored_as_given():
    token = "A" * 43
    assert TOKEN.fullmatch(token) and not TOKEN.fullmatch("../../etc/passwd")
    assert token_hash(token) != token and len(token_hash(token)) == 64


def test_every_kind_is_a_cli_subcommand_with_its_options():
    """bot/exports/kinds/ (the package) and the registry's function do not shadow each other, in any order."""
    import bot.exports
    from bot.ops.cli import parser

    assert "register" in bot.exports.all_kinds()
    from bot.exports import all_kinds

    assert callable(all_kinds)
    args = parser().parse_args(["export", "register", "--overdue-only", "--min-weeks", "4", "--format", "html"])
    assert (args.export_kind, args.overdue_only, args.min_weeks, args.format, args.out) == ("register", True, "4",
                                                                                          "html", "-")
