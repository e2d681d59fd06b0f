"""How long a child's case is kept, and when it is past retention (docs/retention.md).

Registers are kept at least 6 years (the 2024 Pupil Registration Regulations); child protection information until the
child's 25th birthday (UK GDPR and the Data Protection Act 2018, with the statutory guidance). A case is past
retention only once closed (a case open, or a child out of provision or not located whom the authority still tracks,
is never erased): on the later of its closing date plus the years kept, and, when it holds child protection
information, the child's 25th birthday. With child protection information and no date of birth, the birthday is not
known and the case is kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

SIX_YEARS = "six_years"
CHILD_PROTECTION = "child_protection"
RULE_LABELS = {SIX_YEARS: "closed more than the years kept", CHILD_PROTECTION: "child protection: past the 25th birthday"}


@dataclass(frozen=True)
class RetentionRules:
    years: int = 6  # after the case closed
    child_protection_age: int = 25  # the birthday until which child protection information is kept

    def describe(self) -> str:
        return (f"closed cases are kept {self.years} years after closing; those with child protection information "
                f"(Day 1 risk, or social care or the police notified) until the child's "
                f"{_ordinal(self.child_protection_age)} birthday if that is later")


@dataclass(frozen=True)
class Verdict:
    keep_until: date | None  # None: kept (child protection information without a date of birth)
    rule: str

    def due(self, today: date) -> bool:
        return self.keep_until is not None and today >= self.keep_until


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


def verdict(rules: RetentionRules, closed_on: date, date_of_birth: date | None, child_protection: bool) -> Verdict:
    """Until when a closed case is kept, and by which rule."""
    after_closing = add_years(closed_on, rules.years)
    if not child_protection:
        return Verdict(after_closing, SIX_YEARS)
    if date_of_birth is None:
        return Verdict(None, CHILD_PROTECTION)
    birthday = add_years(date_of_birth, rules.child_protection_age)
    return Verdict(birthday, CHILD_PROTECTION) if birthday > after_closing else Verdict(after_closing, SIX_YEARS)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
