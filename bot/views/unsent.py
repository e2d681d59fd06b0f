"""What the daily jobs claimed and did not post, in words naming no child: reminders by case reference, the COPP
panel's digests and packs by authority, day and officer, the expected starters' non-arrival cards by reference. Shown on the administrator's card and by `cme-bot check`."""

from __future__ import annotations

from storage.copp import UnsentPanelPost
from storage.reminders import UNCERTAIN
from storage.store import Store


def _state(uncertain: bool) -> str:
    return "uncertain" if uncertain else "not posted"


async def unsent_reminders(store: Store, authority_ids: list[int] | None = None) -> list[str]:
    """'CME-2026-0042 Day 5 (uncertain)', of these authorities' cases (None: every authority's)."""
    return [f"{u.reference} {u.milestone.label} ({_state(u.why == UNCERTAIN)})"
            for u in await store.reminders.unsent(authority_ids)]


async def unsent_non_arrivals(store: Store, authority_ids: list[int] | None = None) -> list[str]:
    """'NS-00003 not arrived, due 23 November 2026 (not posted)': the expected starters' non-arrival cards of these
    authorities' schools (None: every authority's), by reference only."""
    cards = await store.expected_starters.unsent_cards()
    if authority_ids is not None:
        schools = await store.schools.of({card.school_id for card in cards})
        cards = [card for card in cards if card.school_id in schools
                 and schools[card.school_id].authority_id in authority_ids]
    return [f"{card.reference} not arrived, due {card.due:%-d %B %Y} ({_state(card.uncertain)})" for card in cards]


async def unsent_panel_posts(store: Store, authority_ids: list[int] | None = None) -> list[str]:
    """'Northfield Council: the COPP pack of 16 November 2026 for Nadia North (not posted)', of these authorities."""
    posts = await store.copp.unsent(authority_ids)
    if not posts:
        return []
    names = {a.id: a.name for a in await store.schools.authorities()}
    return [await _described(store, post, names) for post in posts]


async def _described(store: Store, post: UnsentPanelPost, names: dict[int, str]) -> str:
    what = f"the COPP {'pack' if post.officer else 'digest'} of {post.day:%-d %B %Y}"
    if post.officer:
        what += f" for {(await store.people.roles_of(post.officer)).name or 'a tracking officer'}"
    return f"{names.get(post.authority_id, 'an authority')}: {what} ({_state(post.uncertain)})"
