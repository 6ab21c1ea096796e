"""Value types of the audio library's validation (kept apart so the parsers share them)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["AudioError", "AudioFormat", "AudioInfo", "AudioKind", "Problem"]


class AudioFormat(StrEnum):
    WAV = "wav"
    MP3 = "mp3"


class AudioKind(StrEnum):
    GREETING = "greeting"
    HOLD_MUSIC = "hold_music"
    VOICEMAIL_GREETING = "voicemail_greeting"
    CLOSED_MESSAGE = "closed_message"
    SAFE_HARBOUR = "safe_harbour"


class Problem(StrEnum):
    """What is wrong with an upload: a stable code for the API's problem details."""

    EMPTY = "audio-empty"
    TOO_LARGE = "audio-too-large"
    WRONG_EXTENSION = "audio-wrong-extension"
    UNSUPPORTED = "audio-unsupported"
    CORRUPT = "audio-corrupt"
    TRUNCATED = "audio-truncated"
    TOO_SHORT = "audio-too-short"
    TOO_LONG = "audio-too-long"


class AudioError(ValueError):
    """An upload the library refuses; ``str(err)`` is the reason, for the user."""

    def __init__(self, problem: Problem, reason: str) -> None:
        super().__init__(reason)
        self.problem = problem
        self.reason = reason

    @property
    def code(self) -> str:
        return self.problem.value


@dataclass(frozen=True, slots=True)
class AudioInfo:
    format: AudioFormat
    duration_seconds: float
    sample_rate: int
    channels: int
    content_type: str
