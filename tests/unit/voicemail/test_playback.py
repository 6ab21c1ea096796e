"""Playback: Twilio recordings are fetched with the account's credentials as MP3; sandbox
recordings have no audio and say so."""

from __future__ import annotations

import httpx
import pytest
from pydantic import SecretStr

from omnivox.core.config import Settings, TwilioSettings
from omnivox.telephony import RecordingUnavailable
from omnivox.voicemail.errors import NoRecordingAudio
from omnivox.voicemail.models import Voicemail
from omnivox.voicemail.playback import fetch_recording, has_audio

TWILIO_URL = "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1"
SETTINGS = Settings(
    _env_file=None,  # type: ignore[call-arg]
    twilio=TwilioSettings(account_sid="AC1", auth_token=SecretStr("tok")),
)


def _vm(url: str) -> Voicemail:
    return Voicemail(recording_sid="RE1", recording_url=url, duration_seconds=9)


async def test_twilio_recordings_are_fetched_as_mp3_with_credentials() -> None:
    seen: list[httpx.Request] = []

    def twilio(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=b"ID3-mp3-bytes")

    audio = await fetch_recording(_vm(TWILIO_URL), SETTINGS, httpx.MockTransport(twilio))
    assert audio == b"ID3-mp3-bytes"
    [request] = seen
    assert str(request.url) == TWILIO_URL + ".mp3"
    assert request.headers["authorization"] == httpx.BasicAuth("AC1", "tok")._auth_header


async def test_a_provider_refusal_is_a_502_not_silence() -> None:
    transport = httpx.MockTransport(lambda _r: httpx.Response(404))
    with pytest.raises(RecordingUnavailable, match="404"):
        await fetch_recording(_vm(TWILIO_URL), SETTINGS, transport)


async def test_sandbox_recordings_have_no_audio() -> None:
    vm = _vm("http://127.0.0.1:8000/sandbox/2010-04-01/Accounts/AC5/Recordings/RE1")
    assert not has_audio(vm)
    with pytest.raises(NoRecordingAudio, match=r"sandbox recording \(no audio\).*9 s"):
        await fetch_recording(vm, SETTINGS)
