"""Administrators manage roles and schools from chat, picking people from the team; the CLI does the same."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import update

from cme.roles import Role
from storage.engine.db import sessionmaker
from storage.models import Authority
from tests.scenario.cards import press
from tests.scenario.connector import card_text
from tests.scenario.teams import ADAM, REMINDERS, SAM, TEAM, User, _user

NIA = _user(8, "Nia New")
NADIA = User("00000000-0000-4000-8000-000000000a07", "Nadia North", "29:nadia-north")  # Northfield's officer
DEB = _user(9, "Deb Deployment")  # an administrator of every authority
NORTH = "Northfield Council (fictional)"
ROOT = Path(__file__).resolve().parents[2]


def team_members(connector, *users: User) -> None:
    connector.channels[TEAM] = [{"id": TEAM, "name": None}, {"id": REMINDERS, "name": "CME reminders"}]
    connector.members[TEAM] = [{"id": u.teams_id, "name": u.name, "aadObjectId": u.aad_object_id} for u in users]


async def admin_card(teams, connector):
    await teams.say(ADAM, "roles", channel=TEAM)
    return connector.to(TEAM)[-1]


async def test_an_admin_gives_a_role_to_a_team_member_picked_from_the_card(teams, connector, store):
    team_members(connector, ADAM, SAM, NIA)
    await teams.install_team(ADAM)
    await teams.say(NIA, "help")
    assert "ask" in connector.to(NIA.personal_chat)[-1].text.lower() or "administrator" in card_text(
        connector.to(NIA.personal_chat)[-1].cards).lower()

    sent = await admin_card(teams, connector)
    text = card_text(sent.card)
    assert "Sam Staff**: School staff (Oakwood Primary School (fictional))" in text
    person = next(i for i in sent.card["actions"][0]["card"]["body"] if i.get("id") == "person")
    assert [c["title"] for c in person["choices"]] == ["Adam Admin", "Nia New", "Sam Staff"]

    riverside = await store.schools.by_urn("900002")
    data = press(sent.card, "Give the role", person=NIA.aad_object_id, role="school_staff", school=str(riverside.id))
    status, answer = await teams.invoke(ADAM, data["verb"], data, reply_to=sent.activity_id,
                                        conversation=sent.conversation_id, channel=TEAM)
    assert status == 200
    shown = card_text(answer["value"])
    assert "Nia New is now School staff (Riverside Academy (fictional))." in shown
    assert "Adam Admin: gave Nia New the role School staff (Riverside Academy (fictional))" in shown
    assert (await store.people.roles_of(NIA.aad_object_id)).has(Role.SCHOOL_STAFF, riverside.id)

    await teams.say(NIA, "help")
    assert "Riverside Academy (fictional)" in card_text(connector.to(NIA.personal_chat)[-1].cards)

    data = press(answer["value"], "Remove the role", grant=f"{NIA.aad_object_id}|school_staff|{riverside.id}")
    status, answer = await teams.invoke(ADAM, data["verb"], data, reply_to=sent.activity_id,
                                        conversation=sent.conversation_id, channel=TEAM)
    assert "Nia New is no longer School staff." in card_text(answer["value"])
    assert not (await store.people.roles_of(NIA.aad_object_id)).grants


async def test_school_staff_need_a_school_and_others_may_not_manage_roles(teams, connector, store):
    team_members(connector, ADAM, NIA)
    await teams.install_team(ADAM)
    sent = await admin_card(teams, connector)
    data = press(sent.card, "Give the role", person=NIA.aad_object_id, role="school_staff")
    _, answer = await teams.invoke(ADAM, data["verb"], data, reply_to=sent.activity_id,
                                   conversation=sent.conversation_id, channel=TEAM)
    assert "Choose the school for school staff." in card_text(answer["value"])
    assert not (await store.people.roles_of(NIA.aad_object_id)).grants

    _, answer = await teams.invoke(SAM, "admin.grant", {"person": SAM.aad_object_id, "role": "admin"},
                                   conversation=sent.conversation_id, channel=TEAM)
    assert "That is for the Administrator. Nothing was changed." in card_text(answer["value"])
    assert not (await store.people.roles_of(SAM.aad_object_id)).has(Role.ADMIN)
    await teams.say(SAM, "roles")
    assert "That is for the Administrator" in connector.to(SAM.personal_chat)[-1].text


async def test_the_last_administrator_cannot_be_removed(teams, connector, store):
    team_members(connector, ADAM)
    await teams.install_team(ADAM)
    sent = await admin_card(teams, connector)
    borough = await store.schools.authority("Example Borough Council")
    data = press(sent.card, "Remove the role", grant=f"{ADAM.aad_object_id}|admin||{borough.id}")
    _, answer = await teams.invoke(ADAM, data["verb"], data, conversation=sent.conversation_id, channel=TEAM)
    assert "Someone must remain an administrator" in card_text(answer["value"])
    assert (await store.people.roles_of(ADAM.aad_object_id)).has(Role.ADMIN)


async def test_an_admin_adds_a_school_from_chat(teams, connector, store):
    team_members(connector, ADAM)
    await teams.install_team(ADAM)
    sent = await admin_card(teams, connector)
    data = press(sent.card, "Add the school", urn="12", name="Elm School (fictional)")
    _, answer = await teams.invoke(ADAM, data["verb"], data, conversation=sent.conversation_id, channel=TEAM)
    assert "DfE URN (6 digits)" in card_text(answer["value"]) and await store.schools.by_urn("12") is None
    data = press(sent.card, "Add the school", urn="900003", name="Elm School (fictional)")
    _, answer = await teams.invoke(ADAM, data["verb"], data, conversation=sent.conversation_id, channel=TEAM)
    assert "Elm School (fictional) (900003) saved." in card_text(answer["value"])
    assert (await store.schools.by_urn("900003")).authority == "Example Borough Council"


def cli(database_url: str, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, DATABASE_URL=database_url, CME_ENV="development")
    return subprocess.run([sys.executable, "-m", "bot.ops.cli", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60)


def test_roles_from_the_command_line(database_url):
    assert cli(database_url, "schools", "add", "--urn", "900009", "--name", "Ash School (fictional)",
               "--authority", "Example Borough Council").returncode == 0
    added = cli(database_url, "roles", "add", "--aad", NIA.aad_object_id, "--role", "school_staff",
                "--school", "900009", "--name", "Nia New")
    assert added.returncode == 0, added.stderr
    listed = cli(database_url, "roles", "list").stdout
    assert "Nia New" in listed and "Ash School (fictional)" in listed
    refused = cli(database_url, "roles", "add", "--aad", NIA.aad_object_id, "--role", "school_staff",
                  "--school", "999999")
    assert refused.returncode == 1 and "no school with URN 999999" in refused.stderr
    assert cli(database_url, "roles", "remove", "--aad", NIA.aad_object_id, "--role", "school_staff").returncode == 0
    assert "Nia New" not in cli(database_url, "roles", "list").stdout


async def test_the_team_welcome_card_opens_the_admin_card_for_administrators_only(teams, connector):
    team_members(connector, ADAM, SAM)
    await teams.install_team(ADAM)
    welcome = connector.to(TEAM)[0]
    data = press(welcome.card, "People and roles (administrators)")
    _, answer = await teams.invoke(ADAM, data["verb"], data, reply_to=welcome.activity_id, channel=TEAM)
    assert "People, roles and schools" in card_text(answer["value"])
    _, answer = await teams.invoke(SAM, data["verb"], data, reply_to=welcome.activity_id, channel=TEAM)
    assert "That is for the Administrator" in card_text(answer["value"])


def _picker(card: dict) -> dict:
    return next(i for i in card["actions"][0]["card"]["body"] if i.get("id") == "authority")


async def _give(teams, admin: User, sent, **typed) -> str:
    data = press(sent.card, "Give the role", **typed)
    _, answer = await teams.invoke(admin, data["verb"], data, reply_to=sent.activity_id,
                                   conversation=sent.conversation_id, channel=TEAM)
    return card_text(answer["value"])


async def test_an_authority_s_admin_gives_roles_in_their_own_authority_only(teams, connector, store):
    team_members(connector, ADAM, NIA, NADIA)
    await teams.install_team(ADAM)
    borough, north = await store.schools.authority("Example Borough Council"), await store.schools.authority(NORTH)
    sent = await admin_card(teams, connector)
    picker = _picker(sent.card)
    assert [c["title"] for c in picker["choices"]] == ["Example Borough Council"] and picker["value"] == str(borough.id)
    text = card_text(sent.card)
    assert "Nadia North" not in text.split("[Give a role]")[0], "another authority's people are not listed"
    assert "Example Borough Council's channel: set." in text and NORTH not in text.split("[Give a role]")[0]

    shown = await _give(teams, ADAM, sent, person=NIA.aad_object_id, role="tracking_officer")
    assert "Nia New is now CME Pupil Tracking Officer in Example Borough Council." in shown, shown
    assert (await store.people.roles_of(NIA.aad_object_id)).authority_ids() == [borough.id]

    for forged, refusal in ((str(north.id), f"You cannot give roles in {NORTH}: you do not administer it."),
                            ("all", "CME Pupil Tracking Officer is given in one local authority: choose it.")):
        shown = await _give(teams, ADAM, sent, person=NIA.aad_object_id, role="tracking_officer", authority=forged)
        assert refusal in shown, shown
    shown = await _give(teams, ADAM, sent, person=NIA.aad_object_id, role="admin", authority="all")
    assert "Only an administrator of every authority can make another" in shown
    assert [g.authority_id for g in (await store.people.roles_of(NIA.aad_object_id)).grants] == [borough.id]

    data = press(sent.card, "Remove the role", grant=f"{NADIA.aad_object_id}|tracking_officer||{north.id}")
    _, answer = await teams.invoke(ADAM, data["verb"], data, conversation=sent.conversation_id, channel=TEAM)
    assert "held in a local authority you do not administer" in card_text(answer["value"])
    assert (await store.people.roles_of(NADIA.aad_object_id)).authority_ids() == [north.id], "Nadia keeps her role"


async def test_an_admin_of_every_authority_picks_the_authority_of_each_role(teams, connector, store):
    team_members(connector, DEB, NIA, NADIA)
    await store.people.grant(DEB.aad_object_id, Role.ADMIN, actor="test", name=DEB.name)
    await teams.install_team(DEB)
    north = await store.schools.authority(NORTH)
    await teams.say(DEB, "roles", channel=TEAM)
    sent = connector.to(TEAM)[-1]
    picker = _picker(sent.card)
    assert [c["title"] for c in picker["choices"]] == ["Example Borough Council", NORTH,
                                                        "Every authority (administrators only)"]
    assert "value" not in picker, "nothing preselected: which authority is said each time"
    text = card_text(sent.card)
    assert f"**Nadia North**: CME Pupil Tracking Officer ({NORTH})" in text

    shown = await _give(teams, DEB, sent, person=NIA.aad_object_id, role="ews_officer")
    assert "Say which local authority" in shown and not (await store.people.roles_of(NIA.aad_object_id)).grants
    shown = await _give(teams, DEB, sent, person=NIA.aad_object_id, role="ews_officer", authority=str(north.id))
    assert f"Nia New is now Education Welfare Service officer in {NORTH}." in shown, shown
    shown = await _give(teams, DEB, sent, person=NIA.aad_object_id, role="admin", authority="all")
    assert "Nia New is now Administrator of every authority." in shown, shown
    grants = (await store.people.roles_of(NIA.aad_object_id)).grants
    assert [(g.role, g.authority_id) for g in grants] == [(Role.EWS_OFFICER, north.id), (Role.ADMIN, None)]

    async with sessionmaker(store.engine).begin() as session:
        await session.execute(update(Authority).where(Authority.id == north.id).values(channel_id=None))
    await teams.say(DEB, "roles", channel=TEAM)
    assert (f"{NORTH}'s channel: none yet: say **set reminders channel authority {NORTH}** in its CME channel"
            in card_text(connector.to(TEAM)[-1].card))
