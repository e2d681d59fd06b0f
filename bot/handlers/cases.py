"""`my cases` and `case CME-…`: the open cases a person works on, and one case card."""

from __future__ import annotations

from bot.access import has_role_on, not_found
from bot.context import Context
from bot.routes import Place, Routes
from bot.turn import PupilMessage
from bot.verbs import Verb
from bot.views.case_cards import send_case_card
from bot.views.case_views import record_opening
from cards.case_list import PAGE, CaseLine, case_list_card
from cme.case import Case
from cme.reference import find_reference
from cme.roles import AUTHORITY_WIDE, READERS, Role

routes = Routes()


async def _page(context: Context, offset: int) -> tuple[str, int, list[Case]]:
    person, cases, today = context.person, context.store.cases, context.services.today()
    if person.has(Role.TRACKING_OFFICER) and not person.has(Role.EWS_OFFICER):
        return ("Cases with the CME Pupil Tracking Officer: referred, removal asked, left (policy 8.4.1)",
                *await cases.open_page(today, with_the_officer=True, authority_ids=person.authority_ids(),
                                       offset=offset, limit=PAGE))
    if person.roles & AUTHORITY_WIDE:
        return ("Open cases in the local authority", *await cases.open_page(
            today, authority_ids=person.authority_ids(), offset=offset, limit=PAGE))
    if person.school_ids():
        names = ", ".join(g.school_name or "" for g in person.grants if g.role is Role.SCHOOL_STAFF)
        return (f"Open cases: {names}",
                *await cases.open_page(today, school_ids=person.school_ids(), offset=offset, limit=PAGE))
    return ("Children you referred", *await cases.open_page(today, without_school=True,
                                                             created_by=person.aad_object_id,
                                                             offset=offset, limit=PAGE))


async def _lines(context: Context, cases: list[Case]) -> list[CaseLine]:
    today = context.services.today()
    schools = await context.store.schools.of({case.school_id for case in cases if case.school_id})
    lines = []
    for case in cases:
        school = schools.get(case.school_id)
        calendar = context.services.calendars.for_school(school)
        due = case.due_dates(calendar)
        upcoming = next(((m, d) for m, d in due.items() if (d is None or d >= today)
                         and not case.milestone_done(m)), None)
        past_dates = not calendar.is_known(today)
        guessing = past_dates or (upcoming is not None and upcoming[1] is None)
        lines.append(CaseLine(case.reference, case.pupil.full_name, school.name if school else "No school yet",
                              case.day_number(calendar, today), upcoming, tuple(case.overdue(calendar, today)),
                              case.state.label, calendar.known_until if past_dates else None,
                              calendar.unknown_reason if guessing else ""))
    return lines


async def _list(context: Context, offset: int) -> None:
    title, total, cases = await _page(context, offset)
    card = case_list_card(title, await _lines(context, cases), total, offset)
    await context.outbox.send(PupilMessage(card=card, reader=context.person, cases=tuple(cases)))


@routes.command("my cases", "cases", description="the open cases you work on, with Day N and what is overdue",
                roles=READERS, where=Place.PERSONAL)
async def my_cases(context: Context) -> None:
    await _list(context, 0)


@routes.action(Verb.CASES_MORE, roles=READERS, where=Place.PERSONAL)
async def more_cases(context: Context) -> None:
    await _list(context, context.card.number("offset", 0, high=1_000_000))


async def _open(context: Context, text: str) -> None:
    reference = find_reference(text)
    if reference is None:
        await context.reply("Say the case reference, for example **case CME-2026-0042**.")
        return
    case = await context.store.cases.get(reference)
    if case is None or not has_role_on(context.person, case):
        await context.reply(not_found(reference))
        return
    await record_opening(context, case)
    await send_case_card(context, case)


@routes.command("case", description="open one case, e.g. case CME-2026-0042", usage="case CME-…",
                roles=READERS, where=Place.PERSONAL)
async def case_command(context: Context) -> None:
    await _open(context, context.args)


@routes.action(Verb.CASE_OPEN, roles=READERS, where=Place.PERSONAL)
async def case_button(context: Context) -> None:
    await _open(context, context.card.text("case"))
