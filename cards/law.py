"""The `law` card: each law the adopted policy cites, what is in force now, and where to read it."""

from __future__ import annotations

from cards.base import card, container, heading, lines, text
from cme.law import ALSO_IN_FORCE, CITATIONS, CME_GUIDANCE, REGULATIONS, Citation


def _citation(citation: Citation) -> dict:
    return container([
        text(f"Policy section {citation.where} says: {citation.policy_says}", subtle=True),
        text(f"Now: {citation.now}" if citation.replaced else citation.now, bold=citation.replaced),
        text(f"[{citation.source}]({citation.source})", subtle=True),
    ], style="emphasis" if citation.replaced else None)


def law_card() -> dict:
    replaced = [c for c in CITATIONS if c.replaced]
    kept = [c for c in CITATIONS if not c.replaced]
    return card([
        heading("The law behind the CME procedure"),
        text(f"The CME policy cites {len(replaced)} laws or guidance that have since been replaced. I follow the "
             f"law in force: {REGULATIONS}, UK GDPR and the Data Protection Act 2018, and {CME_GUIDANCE}."),
        text("Replaced since the policy was written", bold=True),
        *(_citation(c) for c in replaced),
        text("Cited by the policy and still in force", bold=True),
        *(_citation(c) for c in kept),
        text("Also in force", bold=True),
        lines(f"{c.now}: [{c.source}]({c.source})" for c in ALSO_IN_FORCE),
        text("This is a guide to the sources, not legal advice: where in doubt, read them or ask your legal team.",
             subtle=True),
    ])
