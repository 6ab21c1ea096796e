"""A recording's audio, fetched from the provider with the account's credentials (Twilio's
recording URLs need them) for voicemail playback and the call records page.

The sandbox carrier keeps a recording's duration, never audio: its URLs point at the
simulator, and callers say so rather than play something made up."""

from __future__ import annotations

import httpx

from omnivox.core.config import Settings
from omnivox.core.errors import DomainError

TWILIO_RECORDINGS = "https://api.twilio.com/"
AUDIO_TYPE = "audio/mpeg"


class RecordingUnavailable(DomainError):
    code = "recording-unavailable"
    status = 502
    title = "The provider did not return the recording"


def has_audio(url: str | None) -> bool:
    """Only the provider's recordings carry audio; the sandbox's point at the simulator."""
    return bool(url and url.startswith(TWILIO_RECORDINGS))


async def fetch_mp3(
    url: str,
    recording_sid: str | None,
    settings: Settings,
    transport: httpx.AsyncBaseTransport | None = None,
) -> bytes:
    """The recording at ``url`` as MP3; ``RecordingUnavailable`` if the provider fails."""
    tw = settings.twilio
    auth = (tw.account_sid, tw.auth_token.get_secret_value())
    # Twilio serves a recording as MP3 when ``.mp3`` is appended to its URL.
    mp3 = url.removesuffix(".json") + ".mp3"
    async with httpx.AsyncClient(transport=transport, timeout=20.0) as client:
        try:
            resp = await client.get(mp3, auth=auth, follow_redirects=True)
        except httpx.HTTPError as exc:
            raise RecordingUnavailable(f"could not reach the provider: {exc}") from exc
    if resp.status_code != 200:
        raise RecordingUnavailable(
            f"the provider answered {resp.status_code} for recording {recording_sid}"
        )
    return resp.content
