"""A pupil's details never reach a shared channel or a group chat, whatever a (forged) client sends.

Every command word and card verb the bot answers (all_routes(), so a new route is covered when it is
added), said or pressed in a channel, a group chat and a personal chat, by every role and by someone
with none, as an Action.Submit and as an Action.Execute, about a case that exists: nothing the bot
posts, updates or answers into a channel or a group chat carries the pupil's name, address, postcode,
date of birth or carer; and in personal chats only people with a role on the case see them.
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass, field, replace
from datetime import date

from bot.handlers import all_routes
from cme.case import Carer, Case, Pupil
from cme.lifecycle import State
from fakes.teams import BOT, TENANT
from storage.cases import Actor, NewEvent
from tests.scenario.teams import ADAM, AGGIE, EWAN, REMINDERS, RIYA, SAM, STRANGER, TARA, TEAM, User

# Obviously fictional, and unlike anything else the bot says, so that any trace of them is found.
PUPIL = Pupil("Zephyrine", "Quillbottom", date(2015, 3, 9), year_group="Year 6", address="47 Imaginary Lane",
              postcode="ZZ99 7QX", carers=(Carer("Hortensia Quillbottom", "07700 900987"),))
DETAILS = {
    "forename": ["zephyrine"], "surname": ["quillbottom"], "address": ["imaginary lane"],
    "postcode": ["zz99 7qx", "zz997qx"], "date of birth": ["2015-03-09", "9 march 2015", "09/03/2015", "9 mar 2015",
                                                           "09 mar 2015"],
    "carer": ["hortensia", "07700 900987", "07700900987"],
}
TYPED = {"forename": "Zephyrine", "surname": "Quillbottom", "date_of_birth": "2015-03-09", "sex": "not_known",
         "year_group": "Year 6",
         "address": "47 Imaginary Lane", "postcode": "ZZ99 7QX", "carer1_name": "Hortensia Quillbottom",
         "carer1_phone": "07700 900987", "upn": "", "first_day_absent": "2026-11-16",
         "last_day_attended": "2026-11-13", "confirm_dates": "true", "known_so_far": "Not seen since Friday",
         "reason": "unknown", "risk_cp_plan": "no", "risk_looked_after": "no", "risk_harm": "no",
         "confirm_dob": "true", "agency": "Health visitor", "referrer_name": "Rhoda Referrer",
         "referrer_phone": "07700 900111", "referrer_email": "rhoda@example.org"}
EVERYONE = (SAM, RIYA, EWAN, TARA, AGGIE, ADAM, STRANGER)  # every role, and nobody
ON_THE_CASE = {SAM.personal_chat, EWAN.personal_chat, TARA.personal_chat}  # Oakwood's staff, EWS, the officer
GROUP_CHAT = "19:group-chat-of-three@thread.v2"
PLACES = ("channel", "group chat", "personal chat")
FIRST_DAY = date(2026, 10, 12)  # Day 25 on Monday 16 November 2026


@dataclass
class Findings:
    turns: int = 0
    combinations: int = 0
    leaks: list[str] = field(default_factory=list)
    failed_turns: list[str] = field(default_factory=list)


def details_in(payload) -> list[str]:
    said = json.dumps(payload, ensure_ascii=False).lower()
    return [what for what, spellings in DETAILS.items() if any(s in said for s in spellings)]


async def a_case(services, store, *, removal_requested: bool) -> Case:
    """Oakwood's case of the fictional pupil at Day 25, its Day 5 and Day 20 steps done; a removal requested if asked."""
    school = await store.schools.by_urn("900001")
    calendar = services.calendars.for_school(school)
    case = Case(reference="", school_id=school.id, state=State.CME_REFERRAL, pupil=PUPIL, first_day_absent=FIRST_DAY,
                run_start=FIRST_DAY, enquiry_kinds=frozenset({"phone_call", "home_visit"}),
                ews_contacted_on=date(2026, 10, 16), checklist_completed_on=date(2026, 10, 16),
                day20_review_on=date(2026, 11, 13), cme_referral_on=date(2026, 11, 13))
    sam = Actor(SAM.aad_object_id, SAM.name)
    case, _ = await store.cases.create(case, NewEvent("reported", {}, sam), case.due_dates(calendar))
    if removal_requested:
        requested = replace(case, state=State.REMOVAL_REQUESTED)
        await store.cases.record(requested, NewEvent("removal_requested", {"request": "req-1"}, sam))
        case = await store.cases.get(case.reference)
    return case


def forged(case: Case, verb: str) -> dict:
    """What a tampered client may send with any verb: the case, and a value for every field any card has."""
    return {"verb": verb, "case": case.reference, "request": "req-1", "key": uuid.uuid4().hex, "kind": "phone_call",
            "outcome": "no_answer", "note": "checked", "break_kind": "attended", "break_on": "2026-11-13",
            "notified": "police", "when": "2026-11-16T09:00", "details": "told", "why": "more enquiries",
            "offset": "0", "milestone": "day20", "step": "2", "form": uuid.uuid4().hex, "draft": TYPED,
            "school_id": "1", "return_sent_on": "2026-11-16", "ctf_sent_on": "2026-11-16", **TYPED}


def activity(teams, user: User, place: str, **fields) -> dict:
    if place == "channel":
        return teams.activity(user, channel=REMINDERS, **fields)
    made = teams.activity(user, **fields)
    if place == "group chat":
        made["conversation"] = {"id": GROUP_CHAT, "conversationType": "groupChat", "isGroup": True,
                                "tenantId": TENANT}
    return made


def turns_for(teams, user: User, place: str, route: tuple[str, str], case: Case) -> list[dict]:
    kind, name = route
    if kind == "command":
        text = f"{name} {case.reference}"
        if place == "channel":
            mention = f"<at>{BOT['name']}</at>"
            return [activity(teams, user, place, text=f"{mention} {text}",
                             entities=[{"type": "mention", "text": mention, "mentioned": BOT}])]
        return [activity(teams, user, place, text=text)]
    data = forged(case, name)
    execute = {"action": {"type": "Action.Execute", "verb": name, "data": data}, "trigger": "manual"}
    return [activity(teams, user, place, value=data, replyToId="m-card"),
            activity(teams, user, place, kind="invoke", name="adaptiveCard/action", value=execute,
                     replyToId="m-card")]


def shared(conversation_id: str) -> bool:
    return not conversation_id.startswith("a:")


async def check(teams, connector, services, store, caplog) -> Findings:
    connector.channels[TEAM] = [{"id": TEAM, "name": None}, {"id": REMINDERS, "name": "CME reminders"}]
    await teams.install_team(ADAM)
    for user in EVERYONE:
        await teams.install_personal(user)
    routes = all_routes()
    every = [("command", word) for word in sorted(routes.commands)] + [("verb", v) for v in sorted(routes.actions)]
    findings = Findings()
    caplog.set_level(logging.ERROR)
    for route in every:
        for place in PLACES:
            case = await a_case(services, store, removal_requested=route[1].startswith("removal."))
            for user in EVERYONE:
                findings.combinations += 1
                for sent in turns_for(teams, user, place, route, case):
                    findings.turns += 1
                    mark, errors = connector.mark(), len(caplog.records)
                    status, body = await teams.post(sent)
                    where = f"{route[1]} ({sent['type']}) by {user.name} in a {place}"
                    if status >= 500 or len(caplog.records) > errors:
                        findings.failed_turns.append(f"{where}: {status} {[r.getMessage() for r in caplog.records[errors:]]}")
                    answer = json.loads(body) if body and sent["type"] == "invoke" else {}
                    if place != "personal chat" and details_in(answer):
                        findings.leaks.append(f"{where}: the card answered carries {details_in(answer)}")
                    for out in connector.since(mark):
                        found = details_in(out.body)
                        conversation = out.conversation_id.split(";")[0]
                        if found and shared(conversation):
                            findings.leaks.append(f"{where}: {out.method} to {conversation} carries {found}")
                        elif found and conversation not in ON_THE_CASE and not route[1].startswith(
                                ("report", "refer", "starter.add")):  # forms show their sender what they typed
                            findings.leaks.append(f"{where}: {out.method} to the personal chat {conversation}, "
                                                  f"who has no role on the case, carries {found}")
    return findings


async def test_no_command_or_card_verb_puts_a_pupils_details_in_a_channel_or_group_chat(
        teams, connector, services, store, caplog):
    findings = await check(teams, connector, services, store, caplog)
    print(f"\n{findings.combinations} combinations (route x place x person), {findings.turns} turns, "
          f"{len(findings.leaks)} leaks, {len(findings.failed_turns)} failed turns")
    assert findings.combinations >= 40 * len(PLACES) * len(EVERYONE)
    assert not findings.leaks, f"{len(findings.leaks)} leaks:\n" + "\n".join(findings.leaks)
    assert not findings.failed_turns, "\n".join(findings.failed_turns)
