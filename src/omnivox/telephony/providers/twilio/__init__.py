"""Twilio: the production telephony provider (and, via a base-URL rewrite, the sandbox's)."""

from omnivox.telephony.providers.twilio.http import TWILIO_API_BASE, HttpxTwilioHttpClient
from omnivox.telephony.providers.twilio.provider import (
    TwilioCredentials,
    TwilioProvider,
    build_twilio_provider,
)
from omnivox.telephony.providers.twilio.twiml import TWIML_MEDIA_TYPE, render_twiml
from omnivox.telephony.providers.twilio.webhooks import parse_webhook, verify_signature

__all__ = [
    "TWILIO_API_BASE",
    "TWIML_MEDIA_TYPE",
    "HttpxTwilioHttpClient",
    "TwilioCredentials",
    "TwilioProvider",
    "build_twilio_provider",
    "parse_webhook",
    "render_twiml",
    "verify_signature",
]
