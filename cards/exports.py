"""Exports on cards: the **Download** button a card showing an export carries, and the answer with its links.

The answer is sent to the asker's personal chat only; its links open in the browser (Action.OpenUrl, never in the
text, so no link preview fetches them and spends them)."""

from __future__ import annotations

from adaptive_cards import card as ac

from cards.base import card, heading, submit, text
from cards.text import user_text

OFFER_VERB = "export.offer"


def download_action(kind: str, title: str = "Download", **params: str):
    """A button asking for download links of `kind` with `params` (the kind's options: the card's filters)."""
    return submit(title, OFFER_VERB, kind=kind, **params)


def download_card(what: str, csv_url: str, html_url: str, until: str, minutes: int) -> dict:
    """The links to `what` ("The register: Example Borough Council, overdue only"), working once until `until`."""
    return card([
        heading(f"Download: {user_text(what)}"),
        text(f"Each link works once, for you, for {minutes} minutes (until {until}). The printable page prints "
             "well or saves as a PDF from your browser."),
        text("Keep what you download only as your authority's data protection policy allows; do not forward it.",
             subtle=True),
    ], [ac.ActionOpenUrl(title="CSV (spreadsheet)", url=csv_url),
        ac.ActionOpenUrl(title="Printable page", url=html_url)])
