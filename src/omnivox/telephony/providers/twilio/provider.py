"""The production telephony provider: Twilio through the official SDK, fully async.

All REST calls use the SDK's ``*_async`` methods over :class:`HttpxTwilioHttpClient`, so
nothing blocks the event loop. Credentials come only from the constructor. Pointing the
same code at the sandbox carrier is a matter of the http client's base URL (see
:func:`build_twilio_provider`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http import AsyncHttpClient
from twilio.rest import Client

from omnivox.telephony.errors import ProviderError, ProviderResourceNotFoundError
from omnivox.telephony.instructions import Instruction
from omnivox.telephony.ports import (
    Conference,
    NewParticipant,
    OutboundCall,
    Participant,
    ParticipantChange,
    ProviderCall,
    Recording,
    RecordingStatus,
    TelephonyProvider,
    WebhookEvent,
    WebhookKind,
)
from omnivox.telephony.providers.twilio import mapping
from omnivox.telephony.providers.twilio.http import HttpxTwilioHttpClient
from omnivox.telephony.providers.twilio.tokens import voice_access_token
from omnivox.telephony.providers.twilio.twiml import TWIML_MEDIA_TYPE, render_twiml
from omnivox.telephony.providers.twilio.webhooks import parse_webhook, verify_signature


@dataclass(frozen=True, slots=True, kw_only=True)
class TwilioCredentials:
    """Account credentials. REST calls use the API key when given, else the auth token.

    The auth token is always needed: Twilio signs webhooks with it.
    """

    account_sid: str
    auth_token: str = field(repr=False)
    api_key_sid: str | None = None
    api_key_secret: str | None = field(default=None, repr=False)
    twiml_app_sid: str | None = None  # for the softphone's outgoing calls


class TwilioProvider:
    """:class:`omnivox.telephony.ports.TelephonyProvider` for Twilio."""

    name = "twilio"

    def __init__(self, credentials: TwilioCredentials, http_client: AsyncHttpClient) -> None:
        if not http_client.is_async:
            raise ValueError("TwilioProvider needs an asynchronous twilio HttpClient")
        self._credentials = credentials
        use_key = credentials.api_key_sid and credentials.api_key_secret
        self._client = Client(
            username=credentials.api_key_sid if use_key else credentials.account_sid,
            password=credentials.api_key_secret if use_key else credentials.auth_token,
            account_sid=credentials.account_sid,
            http_client=http_client,
            environment={},  # never pick up TWILIO_* variables behind the config's back
        )

    @property
    def _api(self) -> Any:
        return self._client.api.v2010.accounts(self._credentials.account_sid)

    # --- calls ----------------------------------------------------------------------------

    async def place_call(self, call: OutboundCall) -> ProviderCall:
        kwargs = mapping.outbound_call_kwargs(call, self.render)
        async with _translate_errors():
            instance = await self._api.calls.create_async(**kwargs)
        return mapping.provider_call(instance)

    async def redirect_call(self, call_sid: str, url: str) -> None:
        async with _translate_errors():
            await self._api.calls(call_sid).update_async(url=url, method="POST")

    async def instruct_call(self, call_sid: str, instructions: Sequence[Instruction]) -> None:
        async with _translate_errors():
            await self._api.calls(call_sid).update_async(twiml=self.render(instructions))

    async def hang_up(self, call_sid: str) -> None:
        async with _translate_errors():
            await self._api.calls(call_sid).update_async(status="completed")

    async def fetch_call(self, call_sid: str) -> ProviderCall | None:
        try:
            async with _translate_errors():
                instance = await self._api.calls(call_sid).fetch_async()
        except ProviderResourceNotFoundError:
            return None
        return mapping.provider_call(instance)

    # --- conferences ------------------------------------------------------------------------

    async def add_participant(self, conference_name: str, new: NewParticipant) -> Participant:
        # Twilio accepts the friendly name in place of the conference SID and creates the
        # conference if it does not exist yet.
        async with _translate_errors():
            instance = await self._api.conferences(conference_name).participants.create_async(
                **mapping.participant_kwargs(new)
            )
        return mapping.participant(instance)

    async def update_participant(
        self, conference_sid: str, call_sid: str, change: ParticipantChange
    ) -> Participant:
        kwargs = mapping.participant_change_kwargs(change)
        async with _translate_errors():
            participants = self._api.conferences(conference_sid).participants
            instance = await participants(call_sid).update_async(**kwargs)
        return mapping.participant(instance)

    async def remove_participant(self, conference_sid: str, call_sid: str) -> None:
        async with _translate_errors():
            await self._api.conferences(conference_sid).participants(call_sid).delete_async()

    async def find_conference(self, friendly_name: str) -> Conference | None:
        async with _translate_errors():
            found = await self._api.conferences.list_async(
                friendly_name=friendly_name, status="in-progress", limit=1
            )
            if not found:
                found = await self._api.conferences.list_async(
                    friendly_name=friendly_name, status="init", limit=1
                )
        return mapping.conference(found[0]) if found else None

    # --- recordings ----------------------------------------------------------------------

    async def start_recording(
        self, call_sid: str, *, status_callback_url: str | None = None
    ) -> Recording:
        kwargs: dict[str, Any] = {}
        if status_callback_url:
            kwargs["recording_status_callback"] = status_callback_url
            kwargs["recording_status_callback_event"] = ["in-progress", "completed", "absent"]
        async with _translate_errors():
            instance = await self._api.calls(call_sid).recordings.create_async(**kwargs)
        return mapping.recording(instance)

    async def set_recording_status(
        self, call_sid: str, recording_sid: str, status: RecordingStatus
    ) -> Recording:
        async with _translate_errors():
            recordings = self._api.calls(call_sid).recordings
            instance = await recordings(recording_sid).update_async(status=status.value)
        return mapping.recording(instance)

    # --- tokens, webhooks, markup --------------------------------------------------------------

    def create_access_token(self, identity: str, *, ttl_seconds: int = 3600) -> str:
        c = self._credentials
        if not (c.api_key_sid and c.api_key_secret):
            raise ProviderError("softphone tokens need a Twilio API key SID and secret")
        return voice_access_token(
            account_sid=c.account_sid,
            api_key_sid=c.api_key_sid,
            api_key_secret=c.api_key_secret,
            identity=identity,
            twiml_app_sid=c.twiml_app_sid,
            ttl_seconds=ttl_seconds,
        )

    def verify_webhook(self, url: str, params: Mapping[str, str], signature: str | None) -> bool:
        return verify_signature(self._credentials.auth_token, url, params, signature)

    def parse_webhook(self, kind: WebhookKind, params: Mapping[str, str]) -> WebhookEvent:
        return parse_webhook(kind, params)

    def render(self, instructions: Sequence[Instruction]) -> str:
        return render_twiml(instructions)

    @property
    def instructions_media_type(self) -> str:
        return TWIML_MEDIA_TYPE


@asynccontextmanager
async def _translate_errors() -> AsyncIterator[None]:
    """Turn SDK and transport failures into the port's ``ProviderError``s."""
    try:
        yield
    except TwilioRestException as exc:
        err = ProviderResourceNotFoundError if exc.status == 404 else ProviderError
        raise err(str(exc.msg), provider_code=exc.code, http_status=exc.status) from exc
    except (TwilioException, httpx.HTTPError, ValueError) as exc:
        raise ProviderError(f"telephony provider unreachable or refused: {exc}") from exc


def build_twilio_provider(
    credentials: TwilioCredentials,
    http: httpx.AsyncClient,
    *,
    sandbox_base_url: str | None = None,
) -> TwilioProvider:
    """Production (``sandbox_base_url=None``) or sandbox: the same provider either way."""
    return TwilioProvider(credentials, HttpxTwilioHttpClient(http, base_url=sandbox_base_url))


def _conforms_to_port(provider: TwilioProvider) -> TelephonyProvider:
    return provider  # mypy proves TwilioProvider implements the port
