"""A SingleTenant bot serves its own tenant only: an authenticated activity from any other is refused."""

from __future__ import annotations

import logging

import pytest

from tests.auth.conftest import APP_ID, snapshot
from tests.scenario.connector import card_text
from tests.scenario.teams import SAM, TENANT

OTHER_TENANT = "0bad0000-0000-4000-8000-0000000000b2"


def from_tenant(activity: dict, conversation_tenant: str | None, channel_data_tenant: str | None) -> dict:
    activity["conversation"].pop("tenantId", None)
    activity["channelData"].pop("tenant", None)
    if conversation_tenant:
        activity["conversation"]["tenantId"] = conversation_tenant
    if channel_data_tenant:
        activity["channelData"]["tenant"] = {"id": channel_data_tenant}
    return activity


async def single_tenant_bot(start_bot):
    return await start_bot(app_type="SingleTenant", app_tenant_id=TENANT)


def signed(provider, activity: dict) -> dict:
    return {"Authorization": f"Bearer {provider.token(APP_ID, activity['serviceUrl'])}"}


async def test_an_activity_from_another_tenant_is_refused_and_changes_nothing(
        start_bot, store, connector, provider, caplog):
    teams = await single_tenant_bot(start_bot)
    before = await snapshot(store)
    activity = from_tenant(teams.activity(SAM, text="help"), OTHER_TENANT, OTHER_TENANT)

    with caplog.at_level(logging.WARNING, logger="bot.teams.gateway"):
        status, body = await teams.post(activity, signed(provider, activity))

    assert status == 403 and "error" in body
    assert await snapshot(store) == before
    assert connector.sent == []
    warnings = [r.getMessage() for r in caplog.records if r.name == "bot.teams.gateway" and r.levelno == logging.WARNING]
    assert len(warnings) == 1 and OTHER_TENANT in warnings[0]
    assert not any(personal in warnings[0] for personal in (SAM.name, SAM.aad_object_id, SAM.teams_id, "help"))


@pytest.mark.parametrize(("conversation_tenant", "channel_data_tenant"),
                         [(TENANT, OTHER_TENANT), (None, None)], ids=["two tenants", "no tenant"])
async def test_an_activity_naming_two_tenants_or_none_is_refused(start_bot, store, connector, provider,
                                                                 conversation_tenant, channel_data_tenant):
    teams = await single_tenant_bot(start_bot)
    before = await snapshot(store)
    activity = from_tenant(teams.activity(SAM, text="help"), conversation_tenant, channel_data_tenant)

    status, _ = await teams.post(activity, signed(provider, activity))

    assert status == 403
    assert await snapshot(store) == before and connector.sent == []


async def test_the_token_is_checked_before_the_tenant(start_bot, store, connector):
    teams = await single_tenant_bot(start_bot)
    before = await snapshot(store)

    status, _ = await teams.post(from_tenant(teams.activity(SAM, text="help"), OTHER_TENANT, OTHER_TENANT))

    assert status == 401
    assert await snapshot(store) == before and connector.sent == []


async def test_an_activity_from_its_own_tenant_is_answered(start_bot, store, connector, provider):
    teams = await single_tenant_bot(start_bot)
    # Tenant ids are GUIDs: their case does not matter.
    activity = from_tenant(teams.activity(SAM, text="help"), TENANT.upper(), TENANT)

    status, _ = await teams.post(activity, signed(provider, activity))

    assert status in (200, 201)
    assert "**help**" in card_text(connector.to(SAM.personal_chat)[-1].card)
    assert connector.authorizations == [f"Bearer {provider.outbound_token}"]
    assert (await store.conversations.personal_chat(SAM.aad_object_id)) is not None


async def test_a_multi_tenant_bot_answers_any_tenant(start_bot, connector, provider):
    teams = await start_bot()
    activity = from_tenant(teams.activity(SAM, text="help"), OTHER_TENANT, OTHER_TENANT)

    status, _ = await teams.post(activity, signed(provider, activity))

    assert status in (200, 201)
    assert "**help**" in card_text(connector.to(SAM.personal_chat)[-1].card)
