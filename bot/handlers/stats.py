"""`stats`: the authority's figures as charts, for its EWS and tracking officers in their personal chat.

Counts only, but small counts (one child in a rare at-risk group at a small school) can point to a child, so they
are not posted where school staff of other schools or guests read: personal chat only.
"""

from __future__ import annotations

from collections import Counter

from bot.context import Context
from bot.routes import Place, Routes
from bot.services import Services
from bot.turn import Message
from cards.stats import Chart, StatsView, stats_card
from cme.at_risk import group_labels, reason_label
from cme.lifecycle import STATE_LABELS, State
from cme.roles import AUTHORITY_WIDE
from cme.stats import WEEK_BUCKETS, month_label, months, weighted_median
from storage.stats import Counts, Located

routes = Routes()


@routes.command("stats", "statistics", description="your authority's open cases, opened and closed, and time to "
                "locate, as charts", roles=AUTHORITY_WIDE, where=Place.PERSONAL)
async def stats(context: Context) -> None:
    today = context.services.today()
    for authority_id in context.person.authority_ids(AUTHORITY_WIDE):
        authority = await context.store.schools.authority(authority_id)
        counts = await context.store.stats.counts(authority_id, today)
        view = await stats_view(context.services, authority.name, counts, today)
        await context.outbox.send(Message(card=stats_card(view), summary=f"Statistics: {authority.name}"))


async def stats_view(services: Services, authority: str, counts: Counts, today) -> StatsView:
    last_12 = months(today)
    days = await _days_to_locate(services, counts)
    return StatsView(
        authority=authority, today=today, open_cases=sum(counts.by_state.values()),
        charts=[
            Chart("Open cases by stage", "Chart.VerticalBar",
                  [(STATE_LABELS[s], counts.by_state[s.value]) for s in State if s.value in counts.by_state]),
            Chart("Open cases by reason", "Chart.HorizontalBar", _labelled(counts.by_reason, reason_label)),
            Chart("Open cases by at-risk group", "Chart.HorizontalBar",
                  _labelled(counts.by_group, lambda g: group_labels([g])[0])),
            Chart("Open cases by weeks missing", "Chart.VerticalBar",
                  [(label, counts.by_weeks.get(label, 0)) for label, _ in WEEK_BUCKETS]),
            Chart("Cases opened and closed, last 12 months", "Chart.VerticalBar.Grouped",
                  [(month_label(*m), counts.opened.get(m, 0)) for m in last_12],
                  ("Opened", "Closed", [counts.closed.get(m, 0) for m in last_12])),
        ],
        median_days_to_locate=weighted_median(list(days.items())),
        located=sum(days.values()),
    )


def _labelled(counted: dict[str, int], label) -> list[tuple[str, int]]:
    return sorted(((label(key), n) for key, n in counted.items()), key=lambda pair: (-pair[1], pair[0]))


# An authority's tallied triples (a year's: thousands at a large authority) as days to locate, counted again only
# when the tallies or the term dates change: {id of the triples: (the triples, kept alive here; calendars' generation;
# days)}.
_DAYS_OF_TALLIED: dict[int, tuple[tuple[Located, ...], int, Counter[int]]] = {}
KEPT_DAYS = 64


async def _days_to_locate(services: Services, counts: Counts) -> Counter[int]:
    """School days from Day 1 to the closing day, by each school's calendar, with how many cases."""
    tallied, generation = counts.located_tallied, services.calendars.generation
    kept = _DAYS_OF_TALLIED.get(id(tallied))
    if kept is None or kept[0] is not tallied or kept[1] != generation:
        if len(_DAYS_OF_TALLIED) >= KEPT_DAYS:
            _DAYS_OF_TALLIED.clear()
        kept = _DAYS_OF_TALLIED[id(tallied)] = (tallied, generation, await _days(services, tallied))
    days = Counter(kept[2])
    days.update(await _days(services, counts.located_waiting))
    return days


async def _days(services: Services, located) -> Counter[int]:
    schools = await services.store.schools.of({x.school_id for x in located if x.school_id})
    calendars = {school_id: services.calendars.for_school(schools.get(school_id))
                 for school_id in {x.school_id for x in located}}
    days: Counter[int] = Counter()
    for school_id, first_day, closed_on, cases in located:
        days[calendars[school_id].day_number(first_day, closed_on)] += cases
    return days
