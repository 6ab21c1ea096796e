"""Playing a voicemail in the browser: Omnivox fetches the recording from the provider with
its credentials and passes the audio on (``telephony.fetch_mp3``, as the call records page
does).

The sandbox carrier records durations, not audio; its recordings have no media to fetch,
and the API and page say so rather than play something made up.
"""

from __future__ import annotations

import httpx

from omnivox.core.config import Settings
from omnivox.telephony import AUDIO_TYPE, fetch_mp3, recording_has_audio
from omnivox.voicemail.errors import NoRecordingAudio
from omnivox.voicemail.models import Voicemail

__all__ = ["AUDIO_TYPE", "fetch_recording", "has_audio"]


def has_audio(vm: Voicemail) -> bool:
    return recording_has_audio(vm.recording_url)


async def fetch_recording(
    vm: Voicemail, settings: Settings, transport: httpx.AsyncBaseTransport | None = None
) -> bytes:
    if not has_audio(vm):
        raise NoRecordingAudio(
            f"sandbox recording (no audio): the simulated carrier kept only its duration, "
            f"{vm.duration_seconds} s"
        )
    return await fetch_mp3(vm.recording_url, vm.recording_sid, settings, transport)
