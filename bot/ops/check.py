"""`cme-bot check`: is this configuration ready to serve? One line per check, with what to do.

Statuses: `ok`; `WARNING` (works, but look at it); `MISSING` (something to set up); `FAILED`
(something is broken); `skipped` (needs a check above that did not pass). The command exits 0 only
when every line is ok or a warning.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.calendars import Calendars
from bot.config import Settings
from bot.views.unsent import unsent_non_arrivals, unsent_panel_posts
from cme.calendar import CalendarError, SchoolCalendar
from cme.roles import Role
from cme.term_end import A_TERM, DAY_20_NEAR_THE_END
from storage.migrate import pending_revisions
from storage.reminders import UNCERTAIN
from storage.schools import AuthorityInfo, SchoolInfo
from storage.store import Store

OK, WARNING, MISSING, FAILED, SKIPPED = "ok", "WARNING", "MISSING", "FAILED", "skipped"
SCHOOL_DAYS_AHEAD = 30
CONNECT_TIMEOUT = 10


@dataclass(frozen=True)
class CheckLine:
    status: str
    what: str
    detail: str = ""

    @property
    def passed(self) -> bool:
        return self.status in (OK, WARNING)

    def __str__(self) -> str:
        return f"{self.status:<8} {self.what}" + (f": {self.detail}" if self.detail else "")


def exit_code(lines: list[CheckLine]) -> int:
    return 0 if all(line.passed for line in lines) else 1


def check_credentials(settings: Settings) -> CheckLine:
    problem = replace(settings, environment="production").credentials_problem()
    if problem is None:
        kind = settings.app_type + (f", tenant {settings.app_tenant_id}" if settings.app_tenant_id else "")
        return CheckLine(OK, "credentials", f"MicrosoftAppId {settings.app_id} ({kind})")
    missing = problem.split(" not set")[0]
    if settings.development:
        return CheckLine(WARNING, "credentials", f"{missing} not set; development mode (CME_ENV=development): "
                                                 "requests are not authenticated, never use it with real data")
    return CheckLine(MISSING, "credentials", f"{missing} not set: set them from the Azure Bot's registration "
                                             "(see docs/deployment.md); `serve` refuses to start without them")


def check_public_url(settings: Settings) -> CheckLine:
    """Where download links point (bot/exports/): the bot's address as people's browsers reach it."""
    what, url = "public address (CME_PUBLIC_URL)", settings.public_url
    if not url:
        if settings.development:
            return CheckLine(OK, what, f"not set: download links point at {settings.base_url} (development mode)")
        return CheckLine(WARNING, what, f"not set: Download links (register, census, returns) would point at "
                                        f"{settings.base_url}, which nobody's browser reaches; set CME_PUBLIC_URL to "
                                        "the bot's address as browsers reach it, e.g. https://cme-bot.example.org "
                                        "(docs/exports.md)")
    if not url.startswith("https://") and not settings.development:
        return CheckLine(WARNING, what, f"{url} is not https: a download link would carry children's details in "
                                        "the clear; serve the bot behind TLS and set an https:// address")
    return CheckLine(OK, what, f"download links point at {url}/exports/")


def _safe_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _reason(error: BaseException) -> str:
    error = getattr(error, "orig", None) or error
    text = str(error).splitlines()[0] if str(error) else ""
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _sqlite_file_exists(path: str | None) -> bool:
    return bool(path) and path != ":memory:" and Path(path).is_file()


async def check_database(settings: Settings) -> tuple[CheckLine, Store | None]:
    url = make_url(settings.database_url)
    where = _safe_url(settings.database_url)
    if url.get_backend_name() == "sqlite":
        if not _sqlite_file_exists(url.database):
            return CheckLine(FAILED, "database", f"no SQLite database file at {url.database!r}: check DATABASE_URL, "
                                                 "or create it with `cme-bot db upgrade`"), None
        store = Store.from_url(settings.database_url)
    else:
        store = Store.from_url(settings.database_url, connect_args={"timeout": CONNECT_TIMEOUT})
    try:
        await asyncio.wait_for(store.ping(), CONNECT_TIMEOUT + 5)
    except Exception as error:  # noqa: BLE001 - any failure is reported as such
        await store.close()
        return CheckLine(FAILED, "database", f"cannot reach {where} ({_reason(error)}): check DATABASE_URL, "
                                             "that the server runs and accepts this user"), None
    return CheckLine(OK, "database", f"reachable at {where}"), store


async def check_migrations(store: Store) -> CheckLine:
    try:
        pending = await pending_revisions(store.engine)
    except Exception as error:  # noqa: BLE001
        return CheckLine(FAILED, "migrations", f"cannot read the schema version ({_reason(error)})")
    if pending:
        return CheckLine(FAILED, "migrations", f"{len(pending)} not applied ({', '.join(reversed(pending))}): run "
                                               "`cme-bot db upgrade` (`cme-bot serve` also applies them on start)")
    return CheckLine(OK, "migrations", "the database schema is current")


def _school_days_ahead(calendar: SchoolCalendar, today: date, count: int) -> date:
    day = today
    for _ in range(count):
        day = calendar.next_school_day(day)
    return day


def check_coverage(calendars: Calendars, school: SchoolInfo | None, today: date) -> CheckLine:
    what = f"term dates of {school.name} ({school.urn})" if school else "term dates of the local authority"
    try:
        calendar = calendars.for_school(school)
        last = _school_days_ahead(calendar, today, SCHOOL_DAYS_AHEAD)
    except CalendarError as error:
        return CheckLine(FAILED, what, str(error))
    if calendar.covers is None:
        return CheckLine(WARNING, what, "the term dates do not say which span they cover (covers = { from = ..., "
                                        "to = ... }), so the bot cannot tell when they run out")
    if not calendar.is_covered(today) or not calendar.is_covered(last):
        return CheckLine(MISSING, what, f"they cover {calendar.covers[0]} to {calendar.covers[1]}, not today "
                                        f"({today}) to the {SCHOOL_DAYS_AHEAD}th school day ahead ({last}): import "
                                        "the new dates with `cme-bot calendar import <file.toml>`")
    return CheckLine(OK, what, f"cover today ({today}) to the {SCHOOL_DAYS_AHEAD}th school day ahead ({last}), "
                               f"from {calendars.source_of(school)}")


async def check_term_dates(settings: Settings, store: Store, schools: list[SchoolInfo]) -> list[CheckLine]:
    calendars = Calendars.from_file(settings.term_dates)
    try:
        problems = calendars.use(await store.term_dates.all())
        term_dates = calendars.term_dates
    except CalendarError as error:
        return [CheckLine(FAILED, "term dates", str(error).replace("\n", "; "))]
    except Exception as error:  # noqa: BLE001
        return [CheckLine(FAILED, "term dates", f"cannot read the imported term dates ({_reason(error)})")]
    if problems:
        return [CheckLine(FAILED, "term dates", "an imported copy does not parse: " + "; ".join(problems)
                          + ": import it again with `cme-bot calendar import`")]
    detail = f"{term_dates.authority}, from {calendars.source_of(None)}"
    lines = [CheckLine(OK, "term dates", detail + (" (the EXAMPLE dates: made up, import your own before real "
                                                   "use)" if term_dates.example else ""))]
    today = settings.local_today()
    lines.append(check_coverage(calendars, None, today))
    lines += [check_coverage(calendars, school, today) for school in schools]
    return lines + await check_term_end(calendars, store, today)


async def check_term_end(calendars: Calendars, store: Store, today: date) -> list[CheckLine]:
    what = "end of the term dates"
    try:
        warnings = await calendars.term_end_warnings(store, today)
    except CalendarError as error:
        return [CheckLine(FAILED, what, str(error))]
    return [CheckLine(WARNING, what, warning) for warning in warnings] or [CheckLine(
        OK, what, f"more than a term ({A_TERM} school days) away, and no open case reaches Day 20 within "
                  f"{DAY_20_NEAR_THE_END} school days of it")]


async def check_channel(store: Store, channel_id: str, what: str, via: str = "") -> CheckLine:
    conversation = await store.conversations.get(channel_id)
    if conversation is None:
        return CheckLine(WARNING, what, f"{channel_id}{via}, but the app is not yet installed in its team: add "
                                        "the app to the team (see docs/deployment.md)")
    if not conversation.alive:
        return CheckLine(WARNING, what, f"{channel_id}{via} cannot be reached ({conversation.dead_reason}): add "
                                        "the app to the team again, or set another channel")
    return CheckLine(OK, what, channel_id + via)


async def check_channels(store: Store, schools: list[SchoolInfo]) -> list[CheckLine]:
    """Each school's channel (or its own authority's, never another's), then each authority's: its channel and
    its tracking officers."""
    authorities = await store.schools.authorities()
    by_id = {authority.id: authority for authority in authorities}
    lines = []
    for school in schools:
        what = f"reminders channel of {school.name} ({school.urn})"
        authority = by_id.get(school.authority_id)
        if school.reminders_channel_id:
            lines.append(await check_channel(store, school.reminders_channel_id, what))
        elif authority and authority.channel_id:
            lines.append(await check_channel(store, authority.channel_id, what,
                                             f" (none of its own: the local authority's, {authority.name})"))
        else:
            lines.append(CheckLine(MISSING, what, "not set: an admin mentions the bot with `set reminders channel` "
                                                  "in the school's CME channel, or run `cme-bot schools add --urn "
                                                  f"{school.urn} --name ... --authority ... --reminders-channel "
                                                  "19:...`"))
    for authority in authorities:
        lines.append(await check_authority_channel(store, authority))
        lines.append(await check_tracking_officers(store, authority))
    return lines


async def check_authority_channel(store: Store, authority: AuthorityInfo) -> CheckLine:
    what = f"channel of the local authority {authority.name}"
    if authority.channel_id:
        return await check_channel(store, authority.channel_id, what)
    return CheckLine(WARNING, what, "not set: its cases with no school yet (agency referrals, children awaiting a "
                                    "place) get no Day 5 and Day 20 reminders, and its COPP digest is not posted; an "
                                    f"admin says `set reminders channel authority {authority.name}` in its CME "
                                    "channel")


async def check_tracking_officers(store: Store, authority: AuthorityInfo) -> CheckLine:
    what = f"tracking officers of {authority.name}"
    officers = await store.people.with_role(Role.TRACKING_OFFICER, authority_id=authority.id)
    if not officers:
        return CheckLine(WARNING, what, "none: nobody can agree a removal from roll, be sent its CME referrals or "
                                        "its COPP pack; an admin gives the role with `roles`, or run `cme-bot roles "
                                        f"add --aad ... --role tracking_officer --authority \"{authority.name}\"`")
    return CheckLine(OK, what, str(len(officers)))


async def check_admins(settings: Settings, store: Store) -> CheckLine:
    admins = await store.people.with_role(Role.ADMIN)
    found = []
    if settings.bootstrap_admins:
        found.append(f"{len(settings.bootstrap_admins)} in CME_BOOTSTRAP_ADMINS")
    if admins:
        found.append(f"{len(admins)} with the admin role")
    if not found:
        return CheckLine(MISSING, "administrators", "none: set CME_BOOTSTRAP_ADMINS=<aadObjectId> or run "
                                                    "`cme-bot roles add --aad <aadObjectId> --role admin`")
    return CheckLine(OK, "administrators", ", ".join(found))


def _unsent_line(name: str, unsent: list[str], all_posted: str, next_run: str, shown: int) -> CheckLine:
    """Claimed posts not confirmed posted, the first `shown` named, and what posts them."""
    if not unsent:
        return CheckLine(OK, name, all_posted)
    more = f" and {len(unsent) - shown} more" if len(unsent) > shown else ""
    return CheckLine(WARNING, name, f"{len(unsent)} not confirmed posted: {', '.join(unsent[:shown])}{more}: "
                                    f"{next_run}, an uncertain one marked as a possible repeat")


async def check_reminders(store: Store, shown: int = 20) -> CheckLine:
    listed = [f"{u.reference} {u.milestone.label} ("
              + ("uncertain: may have been posted" if u.why == UNCERTAIN else "not posted") + ")"
              for u in await store.reminders.unsent()]
    return _unsent_line("reminders", listed, "every Day 5 and Day 20 reminder claimed so far was posted",
                        "the next run (`cme-bot remind`, or the daily job of `cme-bot serve`) posts them", shown)


async def check_copp(store: Store, shown: int = 20) -> CheckLine:
    """The COPP panel's digests and packs claimed and not posted, as `check_reminders` lists reminders."""
    return _unsent_line("COPP panel", await unsent_panel_posts(store),
                        "every digest and pack of the latest sittings claimed so far was posted",
                        "the next run (`cme-bot copp run`, or `cme-bot serve`) posts them while that sitting is the "
                        "latest", shown)


async def check_non_arrivals(store: Store, shown: int = 20) -> CheckLine:
    """The expected starters' non-arrival cards claimed and not posted, as `check_reminders` lists reminders."""
    return _unsent_line("non-arrival cards", await unsent_non_arrivals(store),
                        "every non-arrival card claimed so far was posted",
                        "the next run (`cme-bot remind`, or `cme-bot serve`) posts them while the pupil is still "
                        "expected", shown)


async def run_checks(settings: Settings) -> list[CheckLine]:
    lines = [check_credentials(settings), check_public_url(settings)]
    database, store = await check_database(settings)
    lines.append(database)
    later = ("migrations", "term dates", "schools", "reminders channels", "administrators", "reminders",
             "COPP panel", "non-arrival cards")
    if store is None:
        return lines + [CheckLine(SKIPPED, what, "needs the database") for what in later]
    try:
        migrations = await check_migrations(store)
        lines.append(migrations)
        if not migrations.passed:
            return lines + [CheckLine(SKIPPED, what, "needs a migrated database") for what in later[1:]]
        schools = await store.schools.all()
        lines += await check_term_dates(settings, store, schools)
        if schools:
            lines.append(CheckLine(OK, "schools", f"{len(schools)}: " + ", ".join(s.urn for s in schools)))
        else:
            lines.append(CheckLine(MISSING, "schools", "none: add each school with `cme-bot schools add --urn ... "
                                                       "--name ... --authority ...`"))
        lines += await check_channels(store, schools)
        lines.append(await check_admins(settings, store))
        lines.append(await check_reminders(store))
        lines.append(await check_copp(store))
        lines.append(await check_non_arrivals(store))
    finally:
        await store.close()
    return lines
