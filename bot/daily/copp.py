"""The fortnightly Children Out of Provision Panel: a nameless digest in each authority's channel and the named
pack in each of its tracking officers' personal chats, once per sitting, late rather than lost.

`run_copp(services, now)` is one coroutine: `cme-bot copp run` calls it by hand, and the scheduler of `cme-bot serve`
in a process of its own (bot/daily/child.py) when `copp_due`, which it asks every few minutes on weekdays, says a
sitting's time has come. For each authority it takes the latest sitting whose time has come
(cme/copp.py); what of it is not posted yet is claimed like the overdue digest (storage/copp.py,
storage/reminders.py: a unique claim per key and day, owned by a run with a heartbeat, taken over from a
run that stopped, posted again marked as a possible repeat when a POST was cut off). A sitting missed
while the bot was down is posted by the next run, marked late; only the latest sitting is, as an older
one's figures are stale.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

from bot.daily.claimed import post_claimed
from bot.daily.reach import Reach
from bot.daily.reminders import _running
from bot.sending.channels import post_to_channel
from bot.sending.personal_chats import send_to_person
from bot.services import Services
from bot.turn import Message, PupilMessage
from cards.copp import LIMIT, PanelView, copp_digest_card, copp_pack_card
from cme.case import Case
from cme.copp import (
    FORTNIGHT,
    Panel,
    PanelCase,
    PanelCounts,
    PanelSchedule,
    figures,
    latest_panel,
    next_panel,
)
from cme.lifecycle import State
from cme.roles import Role
from storage.copp import digest_key, pack_key
from storage.people import PersonRoles
from storage.schools import AuthorityInfo

log = logging.getLogger(__name__)


@dataclass
class CoppReport:
    on_date: date
    posted: list[str] = field(default_factory=list)
    not_posted: list[str] = field(default_factory=list)
    uncertain: list[str] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)
    # The channels this run gave up on after failed posts (bot/daily/reach.py): the next run posts what was left.
    reach: Reach = field(default_factory=Reach, repr=False)

    @property
    def all_posted(self) -> bool:
        return not (self.not_posted or self.uncertain)

    def lines(self) -> list[str]:
        out = [f"{self.on_date}: COPP panel: {len(self.posted)} posted, {len(self.not_posted)} not posted, "
               f"{len(self.uncertain)} uncertain"]
        out += [f"  posted: {line}" for line in self.posted]
        out += [f"  NOT posted: {line}" for line in self.not_posted]
        out += [f"  UNCERTAIN (the next run posts it again, marked as a possible repeat): {line}"
                for line in self.uncertain]
        out += [f"  {line}" for line in self.waiting]
        return out


@dataclass(frozen=True)
class _Sitting:
    authority: AuthorityInfo
    schedule: PanelSchedule
    panel: Panel
    late: bool


async def run_copp(services: Services, now: datetime | None = None, *, on_date: date | None = None,
                   authority: str | None = None) -> CoppReport:
    """The sittings that have come by `now` (local time); with `on_date`, every sitting on or before that day,
    whatever its time (`cme-bot copp run --date`)."""
    now = now or _clock(services)
    today = on_date or now.date()
    report = CoppReport(today)
    store = services.store
    sittings = await _not_posted(services, today, None if on_date else now, authority)
    if not sittings:
        return report
    async with _running(store, services.settings.instance) as run_id:
        for sitting, officers in sittings:
            await _post_sitting(services, sitting, officers, today, report, run_id)
    for line in report.lines():
        log.info("copp %s", line)
    return report


def _clock(services: Services) -> datetime:
    """The clock's time on the (possibly pinned, CME_TODAY) day."""
    return datetime.combine(services.today(), datetime.now(services.settings.zone).time())


async def copp_due(services: Services) -> bool:
    """Whether `run_copp(services)` would post anything now: a sitting whose time has come, not all posted (the
    tallies kept up on the way, as that run keeps them). A few small statements, for `serve`'s scheduler to start
    the run in a process of its own only when there is something to post."""
    now = _clock(services)
    return bool(await _not_posted(services, now.date(), now))


async def _not_posted(services: Services, today: date, now: datetime | None,
                      authority: str | None = None) -> list[tuple[_Sitting, list[PersonRoles]]]:
    """Each authority's sitting whose time has come by `now` (or any time `today` when None), with its tracking
    officers, where its digest or a pack is not posted yet."""
    store = services.store
    await store.copp.add_tally_changes()  # every few minutes on weekdays, whether a panel sits or not
    authorities = [await store.schools.authority(authority)] if authority else await store.schools.authorities()
    sittings = []
    for each in authorities:
        sitting = await _sitting_due(services, each, today, now)
        if sitting is None:
            continue
        officers = await store.people.with_role(Role.TRACKING_OFFICER, authority_id=each.id)
        keys = [digest_key(each.id)] + [pack_key(each.id, officer.aad_object_id) for officer in officers]
        if len(await store.copp.sent(keys, sitting.panel.day)) < len(keys):
            sittings.append((sitting, officers))
    return sittings


async def _sitting_due(services: Services, authority: AuthorityInfo, today: date,
                       now: datetime | None) -> _Sitting | None:
    schedule = await services.store.copp.schedule(authority.id)
    panel = latest_panel(schedule, services.calendars.for_school(None), today)
    if panel is None or (now is not None and panel.day == today and now < panel.starts(schedule.at)):
        return None
    return _Sitting(authority, schedule, panel, panel.day < today)


async def panel_view(services: Services, authority: AuthorityInfo, schedule: PanelSchedule, since: date,
                     on: date, *, digest: bool = True) -> tuple[PanelView, list[Case]]:
    """The panel's figures as they are on `on`, new and located counted from `since` (the sitting before), and
    the cases the pack shows (for its privacy check): its counts from the authority's tallies, and of each list
    the LIMIT lines a card shows, whether there are 50 children on the register or 50,000. Without `digest`, the
    lists only the digest shows are left empty."""
    store, zone = services.store, services.settings.zone
    new_from = datetime.combine(since, time(), tzinfo=zone)  # reported on `since` or later, in local time
    counted = await store.copp.tallies(authority.id, new_from, since, on)
    lists = await store.copp.lists(authority.id, new_from, since, on, LIMIT, digest=digest)
    read = lists.open + [case for case, _ in lists.new] + [case for case, _ in lists.located] + lists.overdue
    schools = await store.schools.of({case.school_id for case in read if case.school_id})

    def entry(case: Case, closed_at: datetime | None = None) -> PanelCase:
        school = schools.get(case.school_id)
        return PanelCase(
            case.reference, case.pupil.full_name, school.name if school else "No school", case.state.label,
            case.run_start, case.created_at.astimezone(zone).date() if case.created_at else case.first_day_absent,
            closed_at.astimezone(zone).date() if closed_at else None, case.outcome.value if case.outcome else None,
            case.outcome.label if case.outcome else "", tuple(due.label for due in lists.overdue_items.get(case.id, ())))

    counts = PanelCounts(sum(counted.open_by_state.values()), counted.new, counted.new_on_register, counted.located,
                         counted.overdue, tuple((State(state).label, n) for state, n in counted.open_by_state.items()))
    panel = figures(on, since, counts, open=[entry(case) for case in lists.open],
                    new=[entry(case, closed) for case, closed in lists.new],
                    new_on_register=[entry(case) for case in lists.new_on_register],
                    located=[entry(case, closed) for case, closed in lists.located],
                    overdue=[entry(case) for case in lists.overdue])
    upcoming = next_panel(schedule, services.calendars.for_school(None), on + timedelta(days=1))
    shown = {case.id: case for case in lists.open + lists.new_on_register + [case for case, _ in lists.located]}
    return PanelView(authority.name, panel, schedule.at, upcoming.day), list(shown.values())


async def on_demand(services: Services, authority: AuthorityInfo) -> tuple[PanelView, list[Case]]:
    """The pack as it is today (`copp`): new and located since the last sitting before today."""
    schedule = await services.store.copp.schedule(authority.id)
    today, calendar = services.today(), services.calendars.for_school(None)
    last = latest_panel(schedule, calendar, today - timedelta(days=1))
    view, cases = await panel_view(services, authority, schedule, last.day if last else today - FORTNIGHT, today,
                                   digest=False)
    return replace(view, on_demand=True, next_day=next_panel(schedule, calendar, today).day), cases


async def _post_sitting(services: Services, sitting: _Sitting, officers: list[PersonRoles], today: date,
                        report: CoppReport, run_id: str) -> None:
    since = sitting.panel.previous or sitting.panel.day - FORTNIGHT
    view, cases = await panel_view(services, sitting.authority, sitting.schedule, since, today)
    view = replace(view, day=sitting.panel.day, late_since=sitting.panel.day if sitting.late else None)
    name = sitting.authority.name
    await _claimed_send(services, digest_key(sitting.authority.id), sitting.panel.day, run_id, report,
                        f"{name}: the digest in its channel", sitting.authority.channel_id,
                        lambda repeat: post_to_channel(services, sitting.authority.channel_id, Message(
                            card=copp_digest_card(replace(view, maybe_repeat=repeat)),
                            summary=f"COPP panel {sitting.panel.day:%-d %B}")))
    for officer in officers:
        await _claimed_send(services, pack_key(sitting.authority.id, officer.aad_object_id), sitting.panel.day,
                            run_id, report, f"{name}: the pack for tracking officer {officer.aad_object_id}", None,
                            lambda repeat, officer=officer: send_to_person(
                                services, officer.aad_object_id, PupilMessage(
                                    card=copp_pack_card(replace(view, maybe_repeat=repeat)),
                                    summary=f"COPP panel pack {sitting.panel.day:%-d %B}",
                                    reader=officer, cases=tuple(cases))))


async def _claimed_send(services: Services, key: str, day: date, run_id: str, report: CoppReport, label: str,
                        channel_id: str | None, post) -> None:
    """Post once per sitting: claim, then post and record (bot/daily/claimed.py); a run that stopped leaves it to
    the next, and so does one that gave up on the channel (`channel_id`; None for a personal chat), or on Teams."""
    taken = await services.store.reminders.claim_digest(key, day, run_id)
    if taken is None:
        return  # posted already, or another live run has it
    if await post_claimed(services.store, taken, label, lambda: post(taken.maybe_posted), report, reach=report.reach,
                          channel_id=channel_id) is None:
        return
    report.posted.append(label + (" (late)" if day < report.on_date else "")
                         + (" (possibly a repeat)" if taken.maybe_posted else ""))
