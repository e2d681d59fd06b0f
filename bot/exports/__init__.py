"""Exports: the register, the census, the returns, downloaded from the card that shows them, or by the CLI.

Never into a channel: a card's **Download** button (personal chat only) answers, in the asker's personal chat,
with two links (CSV, printable page). Each link is random, stored only as a hash with the asker's aadObjectId,
the kind and its options, works ONCE, and only until CME_EXPORT_LINK_MINUTES (5) after it was given; the
export is built when the link is used, with the asker's roles as they are then. Afterwards, once expired, or
for a link never given, GET /exports/<token>.<csv|html> answers a page saying why and "ask the bot for a new
link" (410, 404). There is no Teams sign-in on that page: what makes it the asker's is that the link goes
only to their personal chat, works once, and for minutes; the page names who asked and when. The same
exports from the CLI: `cme-bot export <kind> --authority <id or name> [options] --format csv|html [--out FILE]`.

Adding a kind (the census, a return): one module in bot/exports/kinds/, which is imported by itself
(`all_kinds()` imports every module there), e.g. bot/exports/kinds/census.py:

    from bot.exports import ExportOption, Table, export_kind
    from cme.roles import Role

    @export_kind("census", title="The DfE CME census", roles={Role.TRACKING_OFFICER},
                 options=(ExportOption("on", help="the census date, YYYY-MM-DD"),))
    async def census(services, person, params) -> Table:
        # services.store, services.calendars, services.today(); person: storage.people.PersonRoles
        # (person.authority_ids(...) is the authorities to export, never another's); params: {option: text},
        # only this kind's options, "" ones left out. Bad options: raise ExportRefused("what to change").
        return Table(title="CME census: Example Borough Council", columns=("Reference", "Sex", ...),
                     rows=[("CME-2026-0001", "F", ...), ...], notes=("As of 4 December 2026",))

    `check=` (optional): a function of the params that raises ExportRefused, run before a link is offered, so
    bad options are said on the card instead of on the page.

On your card, the button (cards/exports.py): `download_action(kind, **params)`; its verb `export.offer` is
answered by bot/handlers/exports.py for any kind (roles checked against the kind's). The CLI gets
`cme-bot export <kind>` with one `--option` per ExportOption (underscores as dashes, flags bare) and
`--authority` (the command line acts as holding every authority-wide role in that authority only).

From code: `await offer_link(services, person, kind, params, "csv"|"html") -> url` (bot/exports/links.py);
renderers `to_csv(table)`, `to_html(table, asked_by=..., asked_at=...)` (bot/exports/render.py).
"""

from bot.exports.links import Offered, offer, offer_link
from bot.exports.registry import ExportKind, ExportOption, ExportRefused, all_kinds, export_kind, find_kind
from bot.exports.render import refusal_html, to_csv, to_html
from bot.exports.table import Table

__all__ = ["ExportKind", "ExportOption", "ExportRefused", "Offered", "Table", "all_kinds", "export_kind", "find_kind",
           "offer", "offer_link", "refusal_html", "to_csv", "to_html"]
