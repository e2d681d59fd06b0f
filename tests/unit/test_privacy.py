"""A message carrying a pupil's details goes only to the personal chat of someone with a role on the case:
every way out refuses it elsewhere, loudly in tests, and in production logs it by case reference and sends nothing."""

from __future__ import annotations

import logging
from datetime import date

import pytest

from bot.dispatch import Dispatcher, Handling, readable_errors, run
from bot.privacy import LOUD, PupilDetailsLeak, PupilDetailsRefused, check
from bot.routes import Place, Route
from bot.sending.errors import DeliveryError
from bot.teams.outbox import TurnOutbox
from bot.teams.proactive import Proactive
from bot.turn import Message, PupilMessage, Sender, Turn, TurnKind
from cme.case import Case, Pupil
from cme.lifecycle import State
from cme.roles import Role
from storage.people import Grant, PersonRoles

CASE = Case(reference="CME-2026-0007", school_id=1, state=State.ENQUIRIES, first_day_absent=date(2026, 11, 9),
            run_start=date(2026, 11, 9), pupil=Pupil("Orla", "Nonesuch", date(2016, 2, 2), address="1 Fable Row"))
SAM = PersonRoles("aad-sam", "Sam Sample", (Grant(Role.SCHOOL_STAFF, 1, "Oakwood (fictional)"),))
RIYA = PersonRoles("aad-riya", "Riya Sample", (Grant(Role.SCHOOL_STAFF, 2, "Riverside (fictional)"),))
CARD = {"type": "AdaptiveCard", "body": [{"type": "TextBlock", "text": "Orla Nonesuch, 1 Fable Row"}]}


def chat(kind: str, aad_object_id: str = "aad-sam") -> dict:
    return {"conversation": {"id": "19:x@thread.tacv2" if kind != "personal" else "a:1", "conversationType": kind},
            "user": {"id": "29:x", "aadObjectId": aad_object_id}, "serviceUrl": "http://connector.invalid/"}


def details(reader: PersonRoles = SAM) -> PupilMessage:
    return PupilMessage(card=CARD, reader=reader, cases=(CASE,))


def test_only_the_personal_chat_of_someone_on_the_case():
    check(details(), chat("personal"), "a reply")
    check(PupilMessage(card=CARD, reader=RIYA), chat("personal", "aad-riya"), "a form")  # what Riya typed herself
    check(Message(card=CARD), chat("channel"), "a reply")  # a plain message is the sender's business
    for reference in (chat("channel"), chat("groupChat"), {"conversation": {"id": "a:1"}},
                      chat("personal", "aad-riya")):
        with pytest.raises(PupilDetailsLeak):
            check(details(), reference, "a reply")
    with pytest.raises(PupilDetailsLeak, match="no role on the case"):
        check(details(RIYA), chat("personal", "aad-riya"), "a reply")


def test_in_production_a_refusal_is_logged_by_reference_and_is_an_undelivered_message(monkeypatch, caplog):
    monkeypatch.delenv(LOUD)
    with pytest.raises(PupilDetailsRefused) as refused:
        check(details(), chat("channel"), "a reply")
    assert isinstance(refused.value, DeliveryError)
    assert "CME-2026-0007" in caplog.text and "a channel" in caplog.text
    assert "Orla" not in caplog.text + str(refused.value) and "Fable" not in caplog.text + str(refused.value)


async def test_the_turns_outbox_and_proactive_sends_refuse_before_anything_leaves():
    """No connector, no adapter: a refused message never gets as far as either."""
    with pytest.raises(PupilDetailsLeak):
        await TurnOutbox(None, chat("channel")).send(details())
    with pytest.raises(PupilDetailsLeak):
        await TurnOutbox(None, chat("groupChat")).update("m1", details())
    proactive = Proactive(None, "")
    with pytest.raises(PupilDetailsLeak):
        await proactive.send(chat("personal", "aad-riya"), details())
    with pytest.raises(PupilDetailsLeak):
        await proactive.update(chat("channel"), "m1", details())
    with pytest.raises(PupilDetailsLeak):
        await proactive.start_thread(chat("channel"), "19:x@thread.tacv2", details())


class Outbox:
    def __init__(self) -> None:
        self.sent: list[Message] = []

    async def send(self, message: Message) -> str | None:
        self.sent.append(message)
        return "m1"

    async def update(self, activity_id: str, message: Message) -> None:
        self.sent.append(message)


async def test_a_card_answered_to_a_click_in_a_channel_never_names_the_pupil(monkeypatch, caplog):
    caplog.set_level(logging.ERROR)

    async def handler(_context):
        return details()

    def clicked(kind: str) -> Handling:
        turn = Turn(TurnKind.ACTION, Sender("aad-sam", "Sam Sample"), "c1", kind, chat(kind))
        return Handling(turn, Outbox(), SAM, Route(handler, None, Place.ANYWHERE))

    answer = run([readable_errors], Dispatcher(None, None)._answer)
    assert await answer(clicked("personal")) == CARD
    with pytest.raises(PupilDetailsLeak):
        await answer(clicked("channel"))
    monkeypatch.delenv(LOUD)
    refused = await answer(clicked("channel"))
    assert "personal chat" in str(refused) and "Orla" not in str(refused)
