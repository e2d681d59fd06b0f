"""Each step of the dispatcher alone: what it answers, and whether it hands the turn on."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.app import build_services
from bot.config import DEVELOPMENT, Settings
from bot.dispatch import (
    Deduplicate,
    FindRoute,
    Handling,
    NoRoleCard,
    PersonAndRoles,
    RememberPersonalChat,
    check_place,
    check_roles,
    readable_errors,
    run,
    submit_fallback,
)
from bot.handlers import all_routes
from bot.routes import Place, Route, Routes
from bot.turn import Message, Sender, Turn, TurnKind
from bot.verbs import Verb
from cme.calendar import CalendarError
from cme.lifecycle import ProcedureError
from cme.roles import WORKERS, Role
from storage.people import Grant, PersonRoles

SAM = Sender("00000000-0000-4000-8000-0000000000d1", "Sam Sample")
SAM_STAFF = PersonRoles(SAM.aad_object_id, SAM.name, (Grant(Role.SCHOOL_STAFF, 1, "Oakwood (fictional)"),))
NOBODY = PersonRoles(SAM.aad_object_id, SAM.name, ())
CARD = {"type": "AdaptiveCard", "body": []}


class Outbox:
    """What the step said in the turn's conversation."""

    def __init__(self) -> None:
        self.sent: list[Message] = []
        self.updated: list[tuple[str, Message]] = []

    async def send(self, message: Message) -> str | None:
        self.sent.append(message)
        return f"m{len(self.sent)}"

    async def update(self, activity_id: str, message: Message) -> None:
        self.updated.append((activity_id, message))


def turn(kind: TurnKind = TurnKind.MESSAGE, *, where: str = "personal", **fields) -> Turn:
    return Turn(kind, SAM, f"a:{where}-sam" if where == "personal" else "19:cme@thread.tacv2;messageid=1", where,
                {"conversation": {"id": "a:personal-sam"}}, **fields)


def handling(kind: TurnKind = TurnKind.MESSAGE, *, person: PersonRoles = SAM_STAFF, route: Route | None = None,
             **fields) -> Handling:
    return Handling(turn(kind, **fields), Outbox(), person=person, route=route)


class Then:
    """The rest of the steps: counts the turns handed on, and answers with `answer` or raises `error`."""

    def __init__(self, answer: dict | None = None, error: Exception | None = None) -> None:
        self.answer, self.error = answer, error
        self.handed: list[Handling] = []

    async def __call__(self, handled: Handling) -> dict | None:
        self.handed.append(handled)
        if self.error:
            raise self.error
        return self.answer


async def never(_handled: Handling) -> dict | None:
    raise AssertionError("the turn was handed on")


@pytest.fixture
async def services(store):
    return build_services(Settings(database_url="sqlite://", environment=DEVELOPMENT, scheduler=False), store)


async def test_the_steps_run_in_order_and_any_may_stop_the_rest():
    order = []

    def step(name: str, stops: bool = False):
        async def run_step(handled, then):
            order.append(name)
            return {"stopped by": name} if stops else await then(handled)
        return run_step

    assert await run([step("first"), step("second", stops=True), step("third")], never)(handling()) == {
        "stopped by": "second"}
    assert order == ["first", "second"]


async def test_a_redelivered_activity_is_ignored_and_a_failed_one_is_handled_again(services):
    dedupe = Deduplicate(services)
    then = Then(CARD)
    assert await dedupe(handling(activity_id="act-1"), then) == CARD
    assert await dedupe(handling(activity_id="act-1"), then) is None
    assert len(then.handed) == 1

    with pytest.raises(RuntimeError):
        await dedupe(handling(activity_id="act-2"), Then(error=RuntimeError("the database went away")))
    assert await dedupe(handling(activity_id="act-2"), then) == CARD, "Teams' retry is handled"


async def test_the_senders_roles_are_read_with_the_activity_id_and_handed_on(services, store):
    await store.people.grant(SAM.aad_object_id, Role.ADMIN, actor="test", name=SAM.name)
    then = Then()
    await Deduplicate(services)(handling(person=None, activity_id="act-1"), then)
    assert then.handed[0].stored_roles == await store.people.roles_of(SAM.aad_object_id)
    await Deduplicate(services)(handling(person=None), then)
    assert then.handed[1].stored_roles is None, "without an id there is nothing to record: the roles are read later"


async def test_the_person_comes_with_their_roles_and_a_bootstrap_admin_is_an_admin(services, store):
    borough = await store.schools.add_authority("Example Borough Council", actor="test")
    await store.people.grant(SAM.aad_object_id, Role.EWS_OFFICER, actor="test", name=SAM.name, authority_id=borough.id)
    then = Then()
    await PersonAndRoles(services)(handling(person=None), then)
    assert then.handed[0].person.roles == {Role.EWS_OFFICER}

    services.settings = replace(services.settings, bootstrap_admins=(SAM.aad_object_id,))
    await PersonAndRoles(services)(handling(person=None), then)
    assert then.handed[1].person.roles == {Role.EWS_OFFICER, Role.ADMIN}


async def test_roles_read_earlier_in_the_turn_are_not_read_again(services, store):
    borough = await store.schools.add_authority("Example Borough Council", actor="test")
    await store.people.grant(SAM.aad_object_id, Role.EWS_OFFICER, actor="test", name=SAM.name, authority_id=borough.id)
    read_with_the_id = handling(person=None)
    read_with_the_id.stored_roles = SAM_STAFF
    then = Then()
    await PersonAndRoles(services)(read_with_the_id, then)
    assert then.handed[0].person == SAM_STAFF

    services.settings = replace(services.settings, bootstrap_admins=(SAM.aad_object_id,))
    await PersonAndRoles(services)(read_with_the_id, then)
    assert then.handed[1].person.roles == {Role.SCHOOL_STAFF, Role.ADMIN}


async def test_a_personal_chat_is_remembered_and_a_channel_is_not(services, store):
    remember = RememberPersonalChat(services)
    then = Then()
    await remember(handling(where="channel"), then)
    assert await store.conversations.personal_chat(SAM.aad_object_id) is None
    await remember(handling(), then)
    assert (await store.conversations.personal_chat(SAM.aad_object_id)).conversation_id == "a:personal-sam"
    assert len(then.handed) == 2


async def test_someone_without_a_role_is_told_whom_to_ask(services, store):
    await store.people.grant("00000000-0000-4000-8000-0000000000d6", Role.ADMIN, actor="test",
                             name="Ada Adminton")
    asked = handling(person=NOBODY)
    assert await NoRoleCard(services)(asked, never) is None
    assert "Ada Adminton" in str(asked.outbox.sent[0].card)

    clicked = handling(TurnKind.ACTION, person=NOBODY)
    assert "Ada Adminton" in str(await NoRoleCard(services)(clicked, never))
    assert clicked.outbox.sent == [], "an Action.Execute is answered with the card for the clicker"

    then = Then()
    await NoRoleCard(services)(handling(), then)
    assert len(then.handed) == 1


async def test_the_route_is_found_by_the_first_words_or_the_verb():
    routes = Routes()

    @routes.command("my cases", "cases", description="the open cases", where=Place.PERSONAL)
    @routes.action(Verb.CASES_MORE, where=Place.PERSONAL)
    async def cases(_context):
        return None

    then = Then()
    said = handling(text="My cases please")
    await FindRoute(routes)(said, then)
    assert said.route.handler is cases and said.args == "please"
    clicked = handling(TurnKind.SUBMIT, verb="cases.more")
    await FindRoute(routes)(clicked, then)
    assert clicked.route.handler is cases

    puzzled = handling(text="what is this")
    assert await FindRoute(routes)(puzzled, never) is None
    assert 'did not understand "what is this"' in puzzled.outbox.sent[0].text
    old_card = await FindRoute(routes)(handling(TurnKind.ACTION, verb="case.gone"), never)
    assert "This card is out of date" in str(old_card)


async def test_anything_showing_a_child_stays_in_the_personal_chat():
    personal = Route(never, None, where=Place.PERSONAL)
    for shared in ("channel", "groupChat"):
        elsewhere = handling(route=personal, where=shared)
        assert await check_place(elsewhere, never) is None
        assert "personal chat" in elsewhere.outbox.sent[0].text
    clicked = await check_place(handling(TurnKind.ACTION, route=personal, where="channel"), never)
    assert "personal chat" in str(clicked), "an Action.Execute is refused on the clicker's card"
    then = Then()
    await check_place(handling(route=personal), then)
    await check_place(handling(route=Route(never, None, where=Place.ANYWHERE), where="groupChat"), then)
    assert len(then.handed) == 2

    in_chat = handling(route=Route(never, None, where=Place.CHANNEL))
    assert await check_place(in_chat, never) is None
    assert "team channel" in in_chat.outbox.sent[0].text


async def test_a_card_posted_to_chats_and_channels_is_not_answered_in_a_group_chat():
    both = Route(never, None, where=Place.PERSONAL_OR_CHANNEL)
    in_group = handling(route=both, where="groupChat")
    assert await check_place(in_group, never) is None
    assert "personal chat with me or in the team channel" in in_group.outbox.sent[0].text
    then = Then()
    await check_place(handling(route=both), then)
    await check_place(handling(route=both, where="channel"), then)
    assert len(then.handed) == 2


def test_every_route_says_where_it_may_answer():
    with pytest.raises(TypeError, match="where"):
        Routes().action(Verb.HELP)
    with pytest.raises(TypeError, match="where"):
        Routes().command("help", description="what I can do")
    routes = all_routes()
    assert all(isinstance(route.where, Place) for route in [*routes.commands.values(), *routes.actions.values()])


async def test_a_route_for_other_roles_changes_nothing():
    officers = Route(never, frozenset({Role.TRACKING_OFFICER}), Place.ANYWHERE)
    assert "That is for the CME Pupil Tracking Officer. Nothing was changed." in str(
        await check_roles(handling(TurnKind.ACTION, route=officers), never))
    then = Then()
    await check_roles(handling(route=Route(never, WORKERS, Place.ANYWHERE)), then)
    assert len(then.handed) == 1


async def test_the_procedures_refusal_is_said_in_its_own_words_and_other_failures_are_not_hidden():
    refused = handling()
    assert await readable_errors(refused, Then(error=ProcedureError("The case is closed."))) is None
    assert refused.outbox.sent == [Message(text="The case is closed.")]
    answer = await readable_errors(handling(TurnKind.ACTION), Then(error=CalendarError("No term dates.")))
    assert "No term dates." in str(answer)
    with pytest.raises(KeyError):
        await readable_errors(handling(), Then(error=KeyError("bug")))


async def test_a_card_answered_through_the_submit_fallback_changes_in_place():
    submitted = handling(TurnKind.SUBMIT, reply_to_id="m7")
    assert await submit_fallback(submitted, Then(CARD)) is None
    assert submitted.outbox.updated == [("m7", Message(card=CARD))]
    without_card = handling(TurnKind.SUBMIT)
    await submit_fallback(without_card, Then(CARD))
    assert without_card.outbox.sent == [Message(card=CARD)]
    assert await submit_fallback(handling(TurnKind.ACTION, reply_to_id="m7"), Then(CARD)) == CARD


def test_every_verb_has_one_handler_and_a_verb_cannot_be_registered_twice():
    assert set(all_routes().actions) == set(Verb)
    first, second = Routes(), Routes()
    first.action(Verb.HELP, where=Place.ANYWHERE)(never)
    second.action(Verb.HELP, where=Place.ANYWHERE)(never)
    with pytest.raises(ValueError, match="registered twice"):
        Routes().include(first).include(second)
