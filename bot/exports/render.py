"""A Table as CSV (spreadsheet-safe) and as a readable page that prints well; and the pages saying why not.

Everything written into HTML is escaped; the pages carry no script and load nothing (the route's
Content-Security-Policy allows inline style only). A CSV cell of text starting with = + - @ (or a tab or
carriage return) is prefixed with a ' so a spreadsheet shows it as text instead of running it as a formula.
"""

from __future__ import annotations

import csv
import io
from html import escape

from bot.exports.table import Table, cell_text

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    text = cell_text(value)
    if isinstance(value, str) and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def to_csv(table: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([csv_cell(column) for column in table.columns])
    for row in table.rows:
        writer.writerow([csv_cell(value) for value in row])
    return out.getvalue()


STYLE = """
body { font-family: "Segoe UI", Arial, sans-serif; font-size: 11pt; color: #111; margin: 1.5em; }
h1 { font-size: 16pt; margin: 0 0 .3em; }
.marking { font-weight: bold; letter-spacing: .05em; }
.who, .notes, .footer { color: #333; margin: .2em 0; }
.hint { color: #555; font-size: 9pt; }
table { border-collapse: collapse; width: 100%; margin-top: .8em; }
th, td { border: 1px solid #999; padding: 3px 5px; text-align: left; vertical-align: top; }
th { background: #e8e8e8; }
tbody tr:nth-child(even) { background: #f6f6f6; }
.refusal { max-width: 40em; }
@page { size: A4 landscape; margin: 12mm; }
@media print {
  body { margin: 0; font-size: 9pt; }
  .hint { display: none; }
  thead { display: table-header-group; }
  tr, td, th { page-break-inside: avoid; break-inside: avoid; }
  th { background: #e8e8e8 !important; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""

MARKING = "OFFICIAL-SENSITIVE: children's personal details"


def _document(title: str, body: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="en-GB"><head><meta charset="utf-8">'
            f'<meta name="robots" content="noindex"><title>{escape(title)}</title>'
            f"<style>{STYLE}</style></head>\n<body>\n{body}\n</body></html>\n")


def to_html(table: Table, *, asked_by: str, asked_at: str) -> str:
    """The printable page: a marking, the title, who asked and when, the notes, the table, its count."""
    head = "".join(f"<th scope=\"col\">{escape(cell_text(column))}</th>" for column in table.columns)
    rows = "\n".join("<tr>" + "".join(f"<td>{escape(cell_text(value))}</td>" for value in row) + "</tr>"
                     for row in table.rows)
    notes = "".join(f'<p class="notes">{escape(note)}</p>' for note in table.notes)
    footer = "".join(f'<p class="footer">{escape(line)}</p>' for line in table.footer)
    count = f"{len(table.rows)} line{'s' if len(table.rows) != 1 else ''}."
    body = (f'<p class="marking">{escape(MARKING)}</p>\n<h1>{escape(table.title)}</h1>\n'
            f'<p class="who">Asked for by {escape(asked_by)} on {escape(asked_at)}. This link worked once and '
            f"does not work again.</p>\n{notes}\n"
            f'<p class="hint">To print it or keep it as a PDF, use your browser\'s Print (Ctrl+P). Keep it only as '
            f"your authority's data protection policy allows; do not forward it.</p>\n"
            f'<table><thead><tr>{head}</tr></thead>\n<tbody>\n{rows}\n</tbody></table>\n'
            f'<p class="footer">{escape(count)}</p>{footer}')
    return _document(table.title, body)


def refusal_html(heading: str, why: str, what_to_do: str = "Ask the bot for a new link in your personal chat "
                                                             "with it.") -> str:
    """The page a link that no longer works gives: what happened, why, and what to do."""
    body = (f'<div class="refusal"><h1>{escape(heading)}</h1>\n<p>{escape(why)}</p>\n'
            f"<p><strong>{escape(what_to_do)}</strong></p>\n"
            '<p class="hint">Download links from the CME bot work once, for a few minutes, for the person who '
            "asked for them.</p></div>")
    return _document(heading, body)
