"""The Twilio adapters and sandbox pieces that need no network: signing, TwiML, parsing."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime
from typing import get_args

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator

from omnivox.core.clock import ManualClock
from omnivox.telephony.errors import InvalidWebhookError
from omnivox.telephony.fsm_types import AnsweredBy, ProviderStatus
from omnivox.telephony.instructions import (
    ConferenceBeep,
    Dial,
    DialClient,
    DialConference,
    DialNumber,
    DialTarget,
    Gather,
    Hangup,
    Instruction,
    Pause,
    Play,
    Record,
    Redirect,
    Reject,
    RejectReason,
    Say,
)
from omnivox.telephony.ports import CallStatusChanged, ConferenceChanged, WebhookKind
from omnivox.telephony.providers.twilio import (
    HttpxTwilioHttpClient,
    TwilioCredentials,
    TwilioProvider,
    parse_webhook,
    render_twiml,
)
from omnivox.telephony.sandbox import SandboxCarrier, twilio_signature, verify_voice_token
from omnivox.telephony.sandbox.softphone_ws import TokenRejectedError
from omnivox.telephony.sandbox.twiml_parser import TwimlError, parse_twiml
from omnivox.telephony.twiml_vocabulary import ELEMENTS

TOKEN = "a-test-auth-token"
URL = "https://omnivox.example/hooks/telephony/twilio/status?org=1"
params = st.dictionaries(
    st.text(st.characters(categories=("L", "N")), min_size=1, max_size=12),
    st.text(max_size=30),
    max_size=8,
)


@given(params)
def test_sandbox_signatures_are_accepted_by_the_sdk_validator(form: dict[str, str]) -> None:
    signature = twilio_signature(TOKEN, URL, form)
    assert RequestValidator(TOKEN).validate(URL, form, signature)
    assert not RequestValidator("another-token").validate(URL, form, signature)


def test_a_tampered_parameter_breaks_the_signature() -> None:
    form = {"CallSid": "CA1", "CallStatus": "completed"}
    signature = twilio_signature(TOKEN, URL, form)
    assert not RequestValidator(TOKEN).validate(URL, {**form, "CallStatus": "busy"}, signature)


EVERY_VERB: list[Instruction] = [
    Say(text="Welcome to Omnivox", voice="alice", language="en-GB"),
    Play(url="https://media.example/hold.mp3", loop=2),
    Play(digits="1w2"),
    Pause(seconds=2),
    Gather(
        action_url="https://omnivox.example/g",
        num_digits=1,
        timeout_seconds=7,
        prompt=(Say(text="Press 1"), Pause(seconds=1)),
    ),
    Dial(targets=(DialNumber(number="+15550001111", status_callback_url="https://x/s"),)),
    Dial(targets=(DialClient(identity="agent-1"),), caller_id="+15550002222", timeout_seconds=20),
    Dial(
        targets=(
            DialConference(
                name="room-1",
                end_conference_on_exit=True,
                muted=True,
                beep=ConferenceBeep.ON_ENTER,
                wait_url="https://media.example/wait.xml",
                status_callback_url="https://x/c",
                status_callback_events=("start", "end"),
                record=True,
                coach="CA123",
            ),
        ),
        action_url="https://x/after",
    ),
    Record(action_url="https://x/r", max_length_seconds=30, play_beep=False),
    Redirect(url="https://x/next"),
    Reject(reason=RejectReason.BUSY),
    Hangup(),
]


def test_rendered_twiml_parses_back_to_the_same_instructions() -> None:
    assert parse_twiml(render_twiml(EVERY_VERB)) == EVERY_VERB


def test_the_vocabulary_names_every_field_of_every_instruction() -> None:
    """One TwiML vocabulary for the renderer and the sandbox parser: nothing left unnamed."""
    instruction_types = {*get_args(Instruction), *get_args(DialTarget)}
    assert set(ELEMENTS) == instruction_types
    for cls, element in ELEMENTS.items():
        named = {a.field for a in element.attributes} | {element.text, element.children}
        assert {f.name for f in fields(cls)} <= named, cls.__name__


def test_unknown_verbs_are_refused_not_skipped() -> None:
    with pytest.raises(TwimlError, match="Enqueue"):
        parse_twiml("<Response><Enqueue>support</Enqueue></Response>")
    with pytest.raises(TwimlError, match="well-formed"):
        parse_twiml("<Response><Say>")


def test_status_webhook_is_normalised() -> None:
    event = parse_webhook(
        WebhookKind.STATUS,
        {
            "CallSid": "CA1",
            "CallStatus": "in-progress",
            "SequenceNumber": "2",
            "Timestamp": "Mon, 05 Jan 2026 14:00:03 +0000",
            "AnsweredBy": "human",
        },
    )
    assert isinstance(event, CallStatusChanged)
    assert event.status is ProviderStatus.IN_PROGRESS
    assert event.sequence_number == 2
    assert event.timestamp == datetime(2026, 1, 5, 14, 0, 3, tzinfo=UTC)
    assert event.answered_by is AnsweredBy.HUMAN
    fsm_event = event.to_fsm_event(datetime(2026, 1, 5, 14, 0, 9, tzinfo=UTC))
    assert fsm_event.at == event.timestamp  # the provider's time, not the receipt time


def test_conference_webhook_is_normalised() -> None:
    event = parse_webhook(
        WebhookKind.CONFERENCE,
        {"ConferenceSid": "CF1", "FriendlyName": "room", "StatusCallbackEvent": "participant-hold"},
    )
    assert isinstance(event, ConferenceChanged)
    assert event.event == "participant-hold"


def test_malformed_webhooks_raise_invalid_webhook() -> None:
    with pytest.raises(InvalidWebhookError):
        parse_webhook(WebhookKind.STATUS, {"CallSid": "CA1", "CallStatus": "exploded"})
    with pytest.raises(InvalidWebhookError):
        parse_webhook(WebhookKind.AMD, {"CallSid": "CA1"})


async def test_sandbox_mode_rewrites_only_the_twilio_api_host() -> None:
    async with httpx.AsyncClient() as http:
        client = HttpxTwilioHttpClient(http, base_url="http://127.0.0.1:8000/sandbox/")
        assert (
            client.rewrite("https://api.twilio.com/2010-04-01/Accounts/AC1/Calls.json")
            == "http://127.0.0.1:8000/sandbox/2010-04-01/Accounts/AC1/Calls.json"
        )
        with pytest.raises(ValueError, match="does not emulate"):
            client.rewrite("https://voice.twilio.com/v1/Something")
        production = HttpxTwilioHttpClient(http)
        assert production.rewrite("https://api.twilio.com/x") == "https://api.twilio.com/x"


async def test_provider_access_tokens_are_accepted_by_the_sandbox_softphone() -> None:
    account, key, secret = "AC" + "a" * 32, "SK" + "b" * 32, "s" * 32
    async with httpx.AsyncClient() as http:
        carrier = SandboxCarrier(clock=ManualClock(datetime.now(UTC)), http=http)
        carrier.add_account(account, "token", {key: secret})
        creds = TwilioCredentials(
            account_sid=account, auth_token="token", api_key_sid=key, api_key_secret=secret
        )
        provider = TwilioProvider(creds, HttpxTwilioHttpClient(http))
        token = provider.create_access_token("agent-3", ttl_seconds=60)
        assert verify_voice_token(carrier, token) == (account, "agent-3")
        await carrier.runtime.advance(120)
        with pytest.raises(TokenRejectedError, match="expired"):
            verify_voice_token(carrier, token)


def test_credentials_never_show_secrets_in_repr() -> None:
    creds = TwilioCredentials(account_sid="AC1", auth_token="hunter2", api_key_secret="s3cret")
    assert "hunter2" not in repr(creds)
    assert "s3cret" not in repr(creds)
