"""With MicrosoftAppId set, /api/messages serves only activities carrying a valid Bot Framework token."""

from __future__ import annotations

import uuid

import pytest

from tests.auth.conftest import APP_ID, PASSWORD, snapshot
from tests.auth.provider import TRUSTED_KID
from tests.scenario.connector import card_text
from tests.scenario.teams import SAM, STRANGER


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


async def test_a_request_without_a_token_is_refused_and_changes_nothing(start_bot, store, connector, provider):
    teams = await start_bot()
    before = await snapshot(store)

    status, _ = await teams.post(teams.activity(SAM, text="help"))

    assert status == 401
    assert await snapshot(store) == before
    assert connector.sent == [] and provider.token_requests == []


async def test_a_request_that_is_not_json_and_has_no_token_is_refused_as_unauthenticated(start_bot):
    teams = await start_bot()
    response = await teams.client.post("/api/messages", data="help", headers={"Content-Type": "text/plain"})
    assert response.status == 401


# Each case spoils one thing about an otherwise valid request: (token, activity) -> Authorization header.
BAD_TOKENS = {
    "signed with a key the bot does not trust":
        lambda p, a: bearer(p.token(APP_ID, a["serviceUrl"], key="untrusted")),
    "signed with an untrusted key that claims the trusted key's id":
        lambda p, a: bearer(p.token(APP_ID, a["serviceUrl"], key="untrusted", kid=TRUSTED_KID)),
    "expired an hour ago":
        lambda p, a: bearer(p.token(APP_ID, a["serviceUrl"], expires_in=-3600)),
    "for another bot":
        lambda p, a: bearer(p.token("00000000-0000-4000-8000-0000000000bb", a["serviceUrl"])),
    "from another issuer":
        lambda p, a: bearer(p.token(APP_ID, a["serviceUrl"], issuer="https://sts.example.invalid/")),
    "for another service url":
        lambda p, a: bearer(p.token(APP_ID, "https://smba.example.invalid/")),
    "from a channel the key does not endorse":
        lambda p, a: (a.update(channelId="webchat"), bearer(p.token(APP_ID, a["serviceUrl"])))[1],
    "not a token at all":
        lambda p, a: bearer("not.a.jwt"),
    "in another scheme":
        lambda p, a: {"Authorization": f"Basic {p.token(APP_ID, a['serviceUrl'])}"},
}


@pytest.mark.parametrize("case", list(BAD_TOKENS))
async def test_a_bad_token_is_refused_and_changes_nothing(case, start_bot, store, connector, provider):
    teams = await start_bot()
    before = await snapshot(store)
    activity = teams.activity(SAM, text="help")
    headers = BAD_TOKENS[case](provider, activity)

    status, _ = await teams.post(activity, headers)

    assert status == 401, case
    assert await snapshot(store) == before
    assert connector.sent == [] and provider.token_requests == []


async def test_a_valid_token_is_answered_through_the_bot_connector_with_the_bots_own_token(
        start_bot, store, connector, provider):
    teams = await start_bot()
    activity = teams.activity(SAM, text="help")

    status, _ = await teams.post(activity, bearer(provider.token(APP_ID, activity["serviceUrl"])))

    assert status in (200, 201)
    answer = connector.to(SAM.personal_chat)[-1]
    assert "**help**" in card_text(answer.card)
    assert connector.authorizations == [f"Bearer {provider.outbound_token}"]
    assert provider.token_requests and all(
        r.get("client_id") == APP_ID and r.get("client_secret") == PASSWORD
        and r.get("scope") == "https://api.botframework.com/.default" for r in provider.token_requests)
    assert (await store.conversations.personal_chat(SAM.aad_object_id)) is not None


async def test_someone_without_a_role_and_a_valid_token_gets_the_polite_refusal(start_bot, connector, provider):
    teams = await start_bot()
    activity = teams.activity(STRANGER, text="help")

    status, _ = await teams.post(activity, bearer(provider.token(APP_ID, activity["serviceUrl"])))

    assert status in (200, 201)
    assert "You do not have a role" in card_text(connector.to(STRANGER.personal_chat)[-1].card)


async def test_when_the_signing_keys_cannot_be_fetched_nothing_is_served_and_nothing_changes(
        start_bot, store, connector, provider):
    teams = await start_bot(
        to_bot_from_channel_openid_metadata_url=f"{provider.base_url}/{uuid.uuid4().hex}/missing/openid-configuration")
    before = await snapshot(store)
    activity = teams.activity(SAM, text="help")

    status, _ = await teams.post(activity, bearer(provider.token(APP_ID, activity["serviceUrl"])))

    assert status == 503
    assert await snapshot(store) == before and connector.sent == []


async def test_a_configured_issuer_replaces_the_public_clouds(start_bot, connector, provider):
    teams = await start_bot(to_bot_from_channel_token_issuer="https://api.botframework.example.invalid")
    activity = teams.activity(SAM, text="help")

    public, _ = await teams.post(activity, bearer(provider.token(APP_ID, activity["serviceUrl"])))
    configured, _ = await teams.post(activity, bearer(provider.token(
        APP_ID, activity["serviceUrl"], issuer="https://api.botframework.example.invalid")))

    assert (public, configured) == (401, 201)
    assert "**help**" in card_text(connector.to(SAM.personal_chat)[-1].card)
