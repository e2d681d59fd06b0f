"""Authentication: botbuilder's credentials and endpoints, the strict token and tenant check, the app's bearer token."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, replace

from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity, CallerIdConstants
from botframework.connector.auth import AuthenticationConstants, ClaimsIdentity

from bot.config import Settings


@dataclass(frozen=True)
class AuthConfig:
    """botbuilder reads its credentials and endpoints from attributes with these names.

    The endpoints stay None (botbuilder's public cloud) unless the settings name one: then botbuilder
    takes every endpoint from here, so the ones not named keep the public cloud's values.
    """

    APP_ID: str
    APP_PASSWORD: str
    APP_TYPE: str
    APP_TENANTID: str
    TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL: str | None = None
    TO_BOT_FROM_CHANNEL_TOKEN_ISSUER: str | None = None
    TO_CHANNEL_FROM_BOT_LOGIN_URL: str | None = None
    TO_CHANNEL_FROM_BOT_OAUTH_SCOPE: str | None = None
    TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL: str | None = None
    OAUTH_URL: str | None = None
    CALLER_ID: str | None = None

    @classmethod
    def of(cls, settings: Settings) -> AuthConfig:
        config = cls(settings.app_id, settings.app_password, settings.app_type, settings.app_tenant_id)
        named = {
            "TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL": settings.to_bot_from_channel_openid_metadata_url,
            "TO_BOT_FROM_CHANNEL_TOKEN_ISSUER": settings.to_bot_from_channel_token_issuer,
            "TO_CHANNEL_FROM_BOT_LOGIN_URL": settings.to_channel_from_bot_login_url,
            "TO_CHANNEL_FROM_BOT_OAUTH_SCOPE": settings.to_channel_from_bot_oauth_scope,
        }
        if not any(named.values()):
            return config
        public = AuthenticationConstants  # the values botbuilder's public-cloud default uses
        return replace(config, **{
            "TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL": public.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL,
            "TO_BOT_FROM_CHANNEL_TOKEN_ISSUER": public.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER,
            "TO_CHANNEL_FROM_BOT_LOGIN_URL": public.TO_CHANNEL_FROM_BOT_LOGIN_URL_PREFIX,
            "TO_CHANNEL_FROM_BOT_OAUTH_SCOPE": public.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE,
            "TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL": public.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL,
            "OAUTH_URL": public.OAUTH_URL,
            "CALLER_ID": CallerIdConstants.public_azure_channel,
            **{name: value for name, value in named.items() if value},
        })


class OtherTenant(Exception):
    """An authenticated activity from a tenant this SingleTenant bot does not serve."""

    def __init__(self, tenant_id: str) -> None:
        super().__init__(tenant_id)
        self.tenant_id = tenant_id


class AuthenticationUnavailable(Exception):
    """The Bot Framework's signing keys could not be fetched: no token can be checked."""


def _tenant_ids(activity: Activity) -> set[str]:
    """Every tenant id the activity names, lower-cased (Teams puts it in two places)."""
    channel_data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    tenant = channel_data.get("tenant")
    found = {getattr(activity.conversation, "tenant_id", None),
             tenant.get("id") if isinstance(tenant, dict) else None}
    return {str(t).lower() for t in found if t}


class StrictAuthentication(ConfigurationBotFrameworkAuthentication):
    """botbuilder's check of the Bot Framework token, made strict.

    botbuilder raises PermissionError (401) for some bad tokens but lets others escape as a 500: a
    bad signature, an expired token, an unknown key, an unendorsed channel, a token that is not a JWT.
    Here every bad or missing token is a PermissionError. After the token, a SingleTenant bot accepts
    activities from its own tenant only.
    """

    def __init__(self, configuration: AuthConfig, allowed_tenant: str) -> None:
        super().__init__(configuration)
        self._allowed_tenant = allowed_tenant.lower()

    async def authenticate_request(self, activity: Activity, auth_header: str):
        try:
            # None, not "": botbuilder's parameterised (non-public-cloud) path only knows None as "no token".
            result = await super().authenticate_request(activity, auth_header or None)
        except PermissionError:
            raise
        except OSError as error:  # requests' errors: the OpenID metadata or keys did not come
            raise AuthenticationUnavailable(type(error).__name__) from error
        except Exception as error:  # noqa: BLE001 - whatever is wrong with the token, it is refused
            raise PermissionError(f"invalid token: {type(error).__name__}") from error
        if self._allowed_tenant:
            tenants = _tenant_ids(activity)
            if tenants != {self._allowed_tenant}:
                raise OtherTenant(",".join(sorted(tenants)) or "none")
        return result


class BearerTokens:
    """The app's bearer token, asked of MSAL off the event loop (it may call Entra ID) and reused.

    MSAL hands out a cached token only while it has more than five minutes to live, so a token held
    here for at most four minutes is never sent expired.
    """

    HOLD_SECONDS = 240.0

    def __init__(self, credentials) -> None:
        self._credentials = credentials
        self._token = ""
        self._until = 0.0
        self._lock = asyncio.Lock()

    async def get(self) -> str:
        if self._token and time.monotonic() < self._until:
            return self._token
        async with self._lock:
            if not (self._token and time.monotonic() < self._until):
                self._token = await asyncio.to_thread(self._credentials.get_access_token)
                self._until = time.monotonic() + self.HOLD_SECONDS
        return self._token


def signs(credentials) -> bool:
    """Whether botbuilder would put a token on requests made with these credentials."""
    app_id = getattr(credentials, "microsoft_app_id", None)
    return bool(app_id) and app_id != AuthenticationConstants.ANONYMOUS_SKILL_APP_ID


def claimed_app_id(claims_identity: ClaimsIdentity | None) -> str:
    """The bot's app id as botbuilder's connector factory reads it from the claims (audience, else appid)."""
    if claims_identity is None:
        return ""
    return (claims_identity.get_claim_value(AuthenticationConstants.AUDIENCE_CLAIM)
            or claims_identity.get_claim_value(AuthenticationConstants.APP_ID_CLAIM) or "")
