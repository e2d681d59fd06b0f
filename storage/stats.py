"""An authority's figures for `stats`, summed from its tallies (storage/tallies.py): a few rows a day, school or key,
whether it has 50 open cases or 50,000.

Nothing here reads a case: only counts, and for the time to locate the (school, Day 1, closing day) triples
with how many cases share each, so the school days are counted once per triple with that school's calendar.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import async_sessionmaker

from cme.stats import WEEK_BUCKETS, first_month
from storage.tallies import Located, Tallies

__all__ = ["Counts", "Located", "Stats"]


@dataclass(frozen=True)
class Counts:
    by_state: dict[str, int] = field(default_factory=dict)
    by_reason: dict[str, int] = field(default_factory=dict)
    by_group: dict[str, int] = field(default_factory=dict)
    by_weeks: dict[str, int] = field(default_factory=dict)
    opened: dict[tuple[int, int], int] = field(default_factory=dict)  # (year, month): cases
    closed: dict[tuple[int, int], int] = field(default_factory=dict)
    # The children located: the tallies' rows (the same tuple while nothing is added to them), the changes waiting.
    located_tallied: tuple[Located, ...] = ()
    located_waiting: list[Located] = field(default_factory=list)

    @property
    def located(self) -> list[Located]:
        return [*self.located_tallied, *self.located_waiting]


class Stats:
    def __init__(self, sessions: async_sessionmaker) -> None:
        self._tallies = Tallies(sessions)

    async def counts(self, authority_id: int, today: date) -> Counts:
        """The authority's open cases by state, reason, at-risk group and weeks missing; the cases opened and
        closed in each of the last 12 months; those located in them (closed with an outcome other than removal)."""
        tallies, since = self._tallies, first_month(today)
        await tallies.add_changes()
        tallied, waiting = await tallies.located(authority_id, since)
        return Counts(
            by_state=await tallies.by_key(authority_id, "state"),
            by_reason=await tallies.by_key(authority_id, "reason"),
            by_group=await tallies.by_key(authority_id, "group"),
            by_weeks=await tallies.buckets(authority_id, "first_day", _week_bounds(today), WEEK_BUCKETS[-1][0]),
            opened=_by_month(await tallies.since(authority_id, "opened", since.isoformat()[:7])),
            closed=_by_month(await tallies.since(authority_id, "closed", since.isoformat()[:7])),
            located_tallied=tallied, located_waiting=waiting,
        )


def _week_bounds(today: date) -> list[tuple[str, str]]:
    """Each bucket of whole weeks since Day 1 but the last, with the Day 1 it must be after."""
    return [(label, (today - timedelta(weeks=upto)).isoformat()) for label, upto in WEEK_BUCKETS if upto is not None]


def _by_month(tallies: dict[str, int]) -> dict[tuple[int, int], int]:
    return {(int(key[:4]), int(key[5:7])): n for key, n in tallies.items()}
