"""The law the policy cites, what replaced it, and that no card cites the replaced law as if in force."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from cards.law import law_card
from cards.removal import removal_request_card, removal_school_card
from cards.validate import problems
from cards.welcome import help_card
from cme.law import ALSO_IN_FORCE, CITATIONS
from tests.unit.builders import card_text
from tests.unit.test_cards import AGREED, removal_view  # the removal cards' tests' builders

ROOT = Path(__file__).resolve().parents[2]
OUT_OF_DATE = ("2006", "regulation 8(", "regulation 8 ", "1998")


def shown(card: dict) -> str:
    assert problems(card) == []
    return card_text(card)


@pytest.mark.parametrize("policy_says, now", [
    ("Regulations 8(f) and 8(h) of the Education (Pupil Registration) (England) Regulations 2006",
     "Regulation 9(1)(i) of the School Attendance (Pupil Registration) (England) Regulations 2024"),
    ("Regulation 8 'Deletions from Admission Register'",
     "Regulation 9 of the School Attendance (Pupil Registration) (England) Regulations 2024"),
    ("amendments to the Pupil Registration Regulations", "Regulation 13 of the School Attendance"),
    ("Data Protection Act 1998", "UK GDPR"),
    ("Data Protection Act 1998", "Data Protection Act 2018"),
    ("The 2016 DfE Statutory Guidance for Children Missing Education",
     "Children missing education, statutory guidance (September 2025)"),
    ("Education and Inspections Act 2006, section 436A", "Education Act 1996, section 436A"),
])
def test_the_law_card_gives_each_replaced_citation_with_what_replaced_it(policy_says, now):
    lines = shown(law_card()).splitlines()
    said = next(n for n, line in enumerate(lines) if policy_says in line)
    assert lines[said].startswith("Policy section ")
    assert lines[said + 1].startswith("Now: ") and now in lines[said + 1]
    assert lines[said + 2].startswith("[https://www.legislation.gov.uk/") or \
        lines[said + 2].startswith("[https://www.gov.uk/")


def test_every_citation_of_the_table_is_on_the_card_with_its_source():
    text = shown(law_card())
    for citation in CITATIONS + ALSO_IN_FORCE:
        assert citation.now in text and f"({citation.source})" in text
        assert citation.policy_says in text
        assert citation.source.startswith(("https://www.legislation.gov.uk/", "https://www.gov.uk/"))
    assert "The CME policy cites 7 laws or guidance that have since been replaced." in text


def test_out_of_date_law_is_only_ever_what_the_policy_says():
    for citation in CITATIONS + ALSO_IN_FORCE:
        assert not any(old in f"{citation.now} {citation.source}".lower() for old in OUT_OF_DATE), citation.now
    policy_lines = {f"Policy section {c.where} says: {c.policy_says}" for c in CITATIONS}
    for line in shown(law_card()).splitlines():
        assert line in policy_lines or not any(old in line.lower() for old in OUT_OF_DATE), line


def _strings(path: Path) -> list[str]:
    return [node.value for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)]


@pytest.mark.parametrize("package", ["bot", "cards", "cme"])
def test_no_text_of_a_card_or_reply_cites_the_replaced_law(package):
    law_table = {c.policy_says for c in CITATIONS} | {c.where for c in CITATIONS}
    for path in sorted((ROOT / package).rglob("*.py")):
        for value in _strings(path):
            if path == ROOT / "cme" / "law.py" and any(value in said for said in law_table):
                continue
            assert not any(old in value.lower() for old in OUT_OF_DATE), f"{path.relative_to(ROOT)}: {value!r}"


def test_the_help_card_points_to_the_law_card():
    assert "The CME policy still cites some law since replaced. Say **law** to see each law the policy cites and " \
           "what replaced it." in shown(help_card([("help", "what I can do for you")], [], False))


def test_the_removal_cards_point_to_the_law_card_before_and_after_agreement():
    pointer = "Say **law** to see each law the policy cites and what replaced it."
    assert pointer in shown(removal_request_card(removal_view()))
    after = shown(removal_school_card(removal_view(decision=AGREED)))
    assert "Next steps" in after and pointer in after
