"""Browser softphone access tokens (a JWT with a Voice grant), made with the SDK."""

from __future__ import annotations

from twilio.jwt.access_token import AccessToken
from twilio.jwt.access_token.grants import VoiceGrant


def voice_access_token(
    *,
    account_sid: str,
    api_key_sid: str,
    api_key_secret: str,
    identity: str,
    twiml_app_sid: str | None,
    ttl_seconds: int,
) -> str:
    token = AccessToken(
        account_sid, api_key_sid, api_key_secret, identity=identity, ttl=ttl_seconds
    )
    token.add_grant(VoiceGrant(outgoing_application_sid=twiml_app_sid, incoming_allow=True))
    return str(token.to_jwt())
