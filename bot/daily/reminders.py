"""The daily job: Day 5 and Day 20 reminder cards and one overdue digest per channel, exactly once.

`run_daily_reminders(services, on_date)` is one plain coroutine: `cme-bot remind` calls it, and the
scheduler of `cme-bot serve` each school day in a process of its own (bot/daily/child.py). Claims in the database make it safe to
run twice, after a crash, or on several instances at once: a run holds its claims while its
heartbeat is fresh, takes over those of a run that stopped, and posts again, marked as a possible
repeat, a reminder whose POST was cut off.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from bot.daily.claimed import post_claimed
from bot.daily.expected_starters import due_non_arrivals, post_non_arrivals
from bot.daily.handoffs import remind_handoffs
from bot.daily.reach import Reach
from bot.sending.admins import tell_admins
from bot.sending.channels import ChannelUnavailable, channel_of, post_to_channel
from bot.sending.errors import ConversationGone, DeliveryError, DeliveryUncertain, Throttled
from bot.sending.throttle import APP_WINDOWS, Throttle, with_retries
from bot.services import Services
from bot.turn import Message
from bot.views.reminder_cards import reminder_view
from cards.deadlines import DeadlineView, deadline_card
from cards.notice import notice_card
from cards.reminders import DigestLine, digest_card, reminder_card
from cme.case import Case
from cme.deadlines import Deadline, done_on
from storage.reminders import HEARTBEAT, NOT_NEEDED, Claim, Unsent
from storage.schools import SchoolInfo
from storage.store import Store

log = logging.getLogger(__name__)
# How long a run waits for reminders another running instance is still sending, before it reports them.
WAIT_FOR_OTHERS = timedelta(minutes=15)
# The weekly warning that the term dates run out is claimed like a digest, under this prefix of the channel's id.
TERM_END = "term-dates-ending:"
# Channels posted into at once: as many as Teams takes posts a second from the app (a channel takes 2 a second for
# long), so the pacing, not this, limits the rate. Every channel of a batch at once (441 in a batch of 500 at national
# scale) each held a case and a wait for a database connection: 4 MB more.
CHANNELS_AT_ONCE = APP_WINDOWS[0][0]


@dataclass
class RunReport:
    on_date: date
    skipped: str | None = None
    claimed: int = 0
    taken_over: list[str] = field(default_factory=list)
    posted: list[str] = field(default_factory=list)
    repeated: list[str] = field(default_factory=list)
    not_posted: list[str] = field(default_factory=list)
    uncertain: list[str] = field(default_factory=list)
    digests: list[str] = field(default_factory=list)
    due: list[str] = field(default_factory=list)
    unsent: list[Unsent] = field(default_factory=list)
    # The channels this run gave up on after failed posts (bot/daily/reach.py): what was left is recorded not posted.
    reach: Reach = field(default_factory=Reach, repr=False)

    @property
    def all_posted(self) -> bool:
        """Nothing due was left unposted or unconfirmed, by this run or one before it."""
        return not (self.not_posted or self.uncertain or self.unsent)

    def lines(self) -> list[str]:
        if self.skipped:
            return [f"{self.on_date}: no reminders ({self.skipped})"]
        out = [f"{self.on_date}: {self.claimed} newly due, {len(self.taken_over)} taken over from a run that "
               f"stopped, {len(self.posted)} posted ({len(self.repeated)} possibly repeated), "
               f"{len(self.not_posted)} not posted, {len(self.uncertain)} uncertain, {len(self.unsent)} unsent "
               f"in all, {len(self.digests)} overdue digest(s)"]
        if self.reach.given_up:
            out.append(f"  gave up on {len(self.reach.given_up)} channel(s) after failed posts: the next run tries "
                       f"them again")
        out += [f"  due: {line}" for line in self.due]
        out += [f"  taken over: {line}" for line in self.taken_over]
        out += [f"  posted: {line}" for line in self.posted]
        out += [f"  NOT posted: {line}" for line in self.not_posted]
        out += [f"  UNCERTAIN (the next run posts it again, marked as a possible repeat): {line}"
                for line in self.uncertain]
        out += [f"  UNSENT: {u.reference} {u.milestone.label} ({u.why})" for u in self.unsent]
        out += [f"  digest: {line}" for line in self.digests]
        return out


async def run_daily_reminders(services: Services, on_date: date, *, dry_run: bool = False,
                              throttle: Throttle | None = None) -> RunReport:
    report = RunReport(on_date)
    authority = services.calendars.for_school(None)
    if on_date.weekday() >= 5 or authority.is_bank_holiday(on_date):
        report.skipped = authority.closure_on(on_date) or "not a school day"
        return report
    schools = {school.id: school for school in await services.store.schools.all()}
    open_today = [sid for sid, school in schools.items() if services.calendars.for_school(school).is_school_day(on_date)]
    if authority.is_school_day(on_date):
        open_today.append(None)
    if not open_today:
        report.skipped = "every school is closed"
        return report
    if dry_run:
        await _list_due(services, schools, open_today, on_date, report)
        return report
    throttle = throttle or Throttle()
    async with _running(services.store, services.settings.instance) as run_id:
        await _post_due(services, schools, open_today, on_date, throttle, report, run_id)
        await _post_digests(services, schools, open_today, on_date, throttle, report, run_id)
        await _warn_term_end(services, on_date, report, run_id)
        await post_non_arrivals(services, schools, open_today, on_date, throttle, report, run_id)
        await remind_handoffs(services, on_date, report, run_id)
    report.unsent = await services.store.reminders.unsent()
    for line in report.lines():
        log.info("reminders %s", line)
    return report


async def _list_due(services: Services, schools: dict[int, SchoolInfo], open_today: list[int | None], on_date: date,
                    report: RunReport) -> None:
    """A dry run: what is due today, claimed and posted by nobody."""
    for known_until, school_ids in _by_end_of_term_dates(services, schools, open_today).items():
        for due in await services.store.reminders.due(on_date, school_ids=school_ids, known_until=known_until):
            report.due.append(f"{due.reference} {due.milestone.label} due {due.due_on}")
    report.due += [f"{starter.reference} non-arrival card due {due}"
                   for starter, due in await due_non_arrivals(services, schools, open_today, on_date)]


async def _post_due(services: Services, schools: dict[int, SchoolInfo], open_today: list[int | None], on_date: date,
                    throttle: Throttle, report: RunReport, run_id: str) -> None:
    """The milestones due today claimed by this run and posted, and those another instance had started and stopped
    taken over; those another instance is still sending waited for, up to WAIT_FOR_OTHERS."""
    store = services.store
    for known_until, school_ids in _by_end_of_term_dates(services, schools, open_today).items():
        report.claimed += await store.reminders.claim_due(on_date, run_id, school_ids=school_ids,
                                                          known_until=known_until)
    give_up = time.monotonic() + WAIT_FOR_OTHERS.total_seconds()
    while True:
        claims = await store.reminders.to_send(run_id)
        if claims:
            await _post_claims(services, claims, schools, on_date, throttle, report, run_id)
            continue
        # Another instance is sending some: wait for it to finish, or to stop (then take them over).
        if not await store.reminders.held_elsewhere(run_id) or time.monotonic() > give_up:
            break
        await asyncio.sleep(HEARTBEAT.total_seconds())
    if elsewhere := await store.reminders.held_elsewhere(run_id):
        report.not_posted.append(f"{elsewhere} reminder(s) still being sent by another instance after "
                                 f"{WAIT_FOR_OTHERS}: see its log")


def _by_end_of_term_dates(services: Services, schools: dict[int, SchoolInfo],
                          school_ids: list[int | None]) -> dict[date | None, list[int | None] | None]:
    """The schools grouped by the last date their term dates cover: a milestone past it is not known yet,
    so it is neither claimed nor posted until next year's dates are imported (and the case rescheduled).

    A group of every school and the cases with none is None, every case: the usual school day, when the claims'
    statements need no list of 2,000 schools."""
    groups: dict[date | None, list[int | None]] = defaultdict(list)
    for school_id in school_ids:
        groups[services.calendars.for_school(schools.get(school_id)).known_until].append(school_id)
    return {known_until: None if len(group) == len(schools) + 1 else group for known_until, group in groups.items()}


@asynccontextmanager
async def _running(store: Store, instance: str) -> AsyncIterator[str]:
    """A run of the job with its heartbeat written every HEARTBEAT until it ends."""
    run_id = await store.reminders.start_run(instance)
    ended = asyncio.Event()

    async def beat() -> None:
        while not ended.is_set():
            try:
                await asyncio.wait_for(ended.wait(), HEARTBEAT.total_seconds())
            except TimeoutError:
                try:
                    await store.reminders.heartbeat(run_id)
                except Exception:  # noqa: BLE001 - a missed beat only lets another run take over
                    log.warning("the daily job's heartbeat could not be written", exc_info=True)

    beating = asyncio.create_task(beat())
    try:
        yield run_id
    finally:
        ended.set()
        await beating
        await store.reminders.end_run(run_id)


async def _post_claims(services: Services, claims: list[Claim], schools: dict[int, SchoolInfo], on_date: date,
                       throttle: Throttle, report: RunReport, run_id: str) -> None:
    """Each claim into its school's channel, else its case's authority's (never another authority's): grouped by
    channel and authority, so an authority with no channel is told about its own reminders only."""
    by_channel: dict[tuple[str | None, int | None], list[Claim]] = defaultdict(list)
    for claim in claims:
        if claim.taken_over:
            report.taken_over.append(f"{claim.reference} {claim.milestone.label}")
        school = schools.get(claim.school_id)
        authority_id = school.authority_id if school else claim.authority_id
        by_channel[(await channel_of(services, school, authority_id), authority_id)].append(claim)
    at_once = asyncio.Semaphore(CHANNELS_AT_ONCE)

    async def post(channel: str | None, authority_id: int | None, batch: list[Claim]) -> None:
        async with at_once:
            with throttle.expecting(channel or ""):
                await _post_reminders(services, channel, batch, schools, on_date, throttle, report, run_id,
                                      authority_id)

    await asyncio.gather(*(post(channel, authority_id, batch) for (channel, authority_id), batch in by_channel.items()))


async def _post_reminders(services: Services, channel_id: str | None, claims: list[Claim],
                          schools: dict[int, SchoolInfo], on_date: date, throttle: Throttle,
                          report: RunReport, run_id: str, authority_id: int | None = None) -> None:
    store = services.store
    # Read once for the channel's posts, not inside each one's slot: a slot is counted in Teams' windows until its
    # answer, so a round trip taken inside it delays the next send that waits for it.
    conversation = await store.conversations.get(channel_id) if channel_id else None
    for claim in claims:
        label = f"{claim.reference} {claim.milestone.label}"
        if await _given_up(store, report, claim.id, label, channel_id):
            continue
        case = await store.cases.by_id(claim.case_id)
        if case is None or not case.is_open or done_on(case, claim.milestone):
            await store.reminders.not_sent(claim.id, NOT_NEEDED)
            continue
        message = Message(card=_card(services, case, schools.get(case.school_id), claim, on_date),
                          summary=f"{claim.milestone.label}: {claim.reference}")
        answered = await throttle.slot(channel_id or "")
        try:
            if await _given_up(store, report, claim.id, label, channel_id):  # while this one waited for its slot
                continue
            if not await store.reminders.attempt(claim.id, run_id):
                continue  # another run took it over
            posted = await with_retries(lambda message=message: post_to_channel(services, channel_id, message,
                                                                                conversation=conversation))
        except DeliveryUncertain as error:
            report.reach.failed(channel_id)
            report.uncertain.append(f"{label} ({error})")
            continue
        except (ChannelUnavailable, ConversationGone) as error:  # the app removed there, say: not Teams failing
            why = f"channel {channel_id}: {error}" if channel_id else str(error)
            await store.reminders.not_sent(claim.id, f"channel unavailable: {error}")
            report.not_posted.append(f"{label}: {why}")
            await _channel_problem(services, channel_id, authority_id, error, len(claims))
            for rest in claims[claims.index(claim) + 1:]:
                await store.reminders.not_sent(rest.id, f"channel unavailable: {error}")
                report.not_posted.append(f"{rest.reference} {rest.milestone.label}: {why}")
            return
        except (Throttled, DeliveryError) as error:
            report.reach.failed(channel_id)
            await store.reminders.not_sent(claim.id, f"not posted: {error}")
            report.not_posted.append(f"{label}: {error}")
            continue
        finally:
            answered()
        report.reach.posted(channel_id)
        await store.reminders.sent(claim.id, posted.conversation_id, posted.activity_id)
        await store.card_messages.add(case.id, claim.milestone.value, posted.conversation_id, posted.activity_id,
                                      text=posted.text, conversation_kind=posted.conversation_kind)
        report.posted.append(label + (f" (late, due {claim.due_on})" if claim.due_on < on_date else "")
                             + (" (possibly a repeat)" if claim.maybe_posted else ""))
        if claim.maybe_posted:
            report.repeated.append(label)


async def _given_up(store: Store, report: RunReport, claim_id: int, label: str, channel_id: str | None) -> bool:
    """The run gave up on the channel (bot/daily/reach.py): the claim is recorded not posted, for the next run."""
    why = report.reach.gave_up(channel_id)
    if why:
        await store.reminders.not_sent(claim_id, f"not posted: {why}")
        report.not_posted.append(f"{label}: {why}")
    return why is not None


def _card(services: Services, case: Case, school: SchoolInfo | None, claim: Claim, on_date: date) -> dict:
    if isinstance(claim.milestone, Deadline):
        return deadline_card(DeadlineView(case.reference, school.name if school else "No school yet (local authority)",
                                          claim.milestone, claim.due_on, on_date, claim.maybe_posted))
    view = reminder_view(services, case, school, claim.milestone, claim.due_on, on_date, claim.run_start)
    return reminder_card(replace(view, maybe_repeat=claim.maybe_posted))


async def _channel_problem(services: Services, channel_id: str | None, authority_id: int | None,
                           error: Exception, waiting: int) -> None:
    """Tell the administrators of that authority (and the deployment's) in personal chat, once per run and
    channel, that reminders cannot reach it."""
    if channel_id:
        what, fix = f"channel {channel_id}", "another channel is set with **set reminders channel**"
    else:
        name = await _authority_name(services, authority_id)
        what = f"{name}'s channel (it has none: cases with no school are posted there)"
        fix = f"its channel is set with **set reminders channel authority {name}**"
    await tell_admins(services, f"I cannot post CME reminders to {what}: {error}. {waiting} reminder(s) are "
                                f"waiting and will be posted by the next run once the app is back in the team "
                                f"or {fix}.", authority_id=authority_id)


async def _authority_name(services: Services, authority_id: int | None) -> str:
    authorities = {a.id: a.name for a in await services.store.schools.authorities()}
    return authorities.get(authority_id, "the local authority")


async def _warn_term_end(services: Services, on_date: date, report: RunReport, run_id: str) -> None:
    """Once a week into each local authority's channel, its cases by reference only, while the term dates run out."""
    for authority in await services.store.schools.authorities():
        await _warn_authority_of_term_end(services, authority, on_date, report, run_id)


async def _warn_authority_of_term_end(services: Services, authority, on_date: date, report: RunReport,
                                      run_id: str) -> None:
    store = services.store
    warnings = await services.calendars.term_end_warnings(store, on_date, authority.id)
    if not warnings:
        return
    channel_id = authority.channel_id
    if channel_id is None:
        report.not_posted.append("the term dates warning: the local authority has no reminders channel")
        return
    taken = await store.reminders.claim_digest(TERM_END + channel_id, on_date - timedelta(days=on_date.weekday()),
                                               run_id)
    if taken is None:
        return
    message = Message(card=notice_card("\n\n".join(warnings), title="The term dates are running out"),
                      summary="The term dates are running out")
    if await post_claimed(store, taken, f"term dates warning for {channel_id}",
                          lambda: post_to_channel(services, channel_id, message), report, reach=report.reach,
                          channel_id=channel_id):
        report.digests.append(f"{channel_id}: the term dates warning")


async def _post_digests(services: Services, schools: dict[int, SchoolInfo], open_today: list[int | None],
                        on_date: date, throttle: Throttle, report: RunReport, run_id: str) -> None:
    store = services.store
    grouped: dict[tuple[str | None, int | None], dict[str, DigestLine]] = defaultdict(dict)
    for overdue in await store.reminders.overdue(on_date):
        if overdue.school_id not in open_today:
            continue
        school = schools.get(overdue.school_id)
        calendar = services.calendars.for_school(school)
        if not calendar.is_known(overdue.due_on):
            continue  # past the term dates: not known yet, so not overdue
        channel_id = await channel_of(services, school, school.authority_id if school else overdue.authority_id)
        # One digest a channel (claimed per channel and day); lines with no channel kept apart per authority.
        channel = (channel_id, None if channel_id else overdue.authority_id)
        line = grouped[channel].get(overdue.reference) or DigestLine(
            overdue.reference, school.name if school else "No school yet",
            calendar.day_number(overdue.run_start, on_date), [])
        line.overdue.append((overdue.milestone, overdue.due_on))
        grouped[channel][overdue.reference] = line
    for (channel_id, authority_id), lines in grouped.items():
        if channel_id is None:
            report.not_posted.append(f"overdue digest of {len(lines)} case(s) of "
                                     f"{await _authority_name(services, authority_id)}: no reminders channel is set")
            continue
        taken = await store.reminders.claim_digest(channel_id, on_date, run_id)
        if taken is None:
            continue
        ordered = sorted(lines.values(), key=lambda line: (-line.day, line.reference))
        message = Message(card=digest_card(on_date, ordered, maybe_repeat=taken.maybe_posted),
                          summary=f"{len(ordered)} overdue CME case(s)")
        if await post_claimed(store, taken, f"overdue digest for {channel_id}",
                              lambda message=message, channel_id=channel_id: post_to_channel(
                                  services, channel_id, message), report,
                              slot=lambda channel_id=channel_id: throttle.slot(channel_id), reach=report.reach,
                              channel_id=channel_id):
            report.digests.append(f"{channel_id}: {len(ordered)} case(s)")

