"""Playing a voicemail in the browser: Omnivox fetches the recording from the provider with
its credentials (Twilio's recording URLs need them) and passes the audio on.

The sandbox carrier records durations, not audio; its recordings have no media to fetch,
and the API and page say so rather than play something made up.
"""

from __future__ import annotations

import httpx

from omnivox.core.config import Settings
from omnivox.voicemail.errors import NoRecordingAudio, RecordingUnavailable
from omnivox.voicemail.models import Voicemail

TWILIO_RECORDINGS = "https://api.twilio.com/"
AUDIO_TYPE = "audio/mpeg"


def has_audio(vm: Voicemail) -> bool:
    """Only Twilio's recordings carry audio; the sandbox's URL points at the simulator."""
    return vm.recording_url.startswith(TWILIO_RECORDINGS)


async def fetch_recording(
    vm: Voicemail, settings: Settings, transport: httpx.AsyncBaseTransport | None = None
) -> bytes:
    if not has_audio(vm):
        raise NoRecordingAudio(
            f"sandbox recording (no audio): the simulated carrier kept only its duration, "
            f"{vm.duration_seconds} s"
        )
    tw = settings.twilio
    auth = (tw.account_sid, tw.auth_token.get_secret_value())
    # Twilio serves the recording as MP3 when ``.mp3`` is appended to its URL.
    url = vm.recording_url.removesuffix(".json") + ".mp3"
    async with httpx.AsyncClient(transport=transport, timeout=20.0) as client:
        try:
            resp = await client.get(url, auth=auth, follow_redirects=True)
        except httpx.HTTPError as exc:
            raise RecordingUnavailable(f"could not reach the provider: {exc}") from exc
    if resp.status_code != 200:
        raise RecordingUnavailable(
            f"the provider answered {resp.status_code} for recording {vm.recording_sid}"
        )
    return resp.content
