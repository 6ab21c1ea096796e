"""Validation of uploads to the audio library: WAV (PCM) and MP3 only, size, sample rate
and duration bounds per kind. Pure: bytes and a file name in, ``AudioInfo`` or an
``AudioError`` (stable ``code`` + a reason naming what is wrong) out; nothing is stored
unless this passes.

Duration bounds: the safe-harbour message plays within two seconds of a live answer when
no agent is free, so it must say its piece and let the caller go (<= 10 s); greetings and
closed messages are kept to two minutes, voicemail greetings to one, hold music loops so
five seconds to twenty minutes is plenty (and a 10 MB MP3 at 128 kbit/s is ~11 min).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from omnivox.media._mp3 import parse_mp3
from omnivox.media._wav import parse_wav
from omnivox.media.audio_types import AudioError, AudioFormat, AudioInfo, AudioKind, Problem

__all__ = [
    "LIMITS",
    "MAX_BYTES",
    "AudioError",
    "AudioFormat",
    "AudioInfo",
    "AudioKind",
    "DurationLimits",
    "Problem",
    "check_audio",
]

MAX_BYTES = 10 * 1024 * 1024
#: What the providers play back (Twilio <Play>): telephone band up to studio rates.
SAMPLE_RATES = range(8000, 48001)
EXTENSIONS = {".wav": AudioFormat.WAV, ".wave": AudioFormat.WAV, ".mp3": AudioFormat.MP3}


@dataclass(frozen=True, slots=True)
class DurationLimits:
    min_seconds: float
    max_seconds: float


LIMITS: Mapping[AudioKind, DurationLimits] = MappingProxyType(
    {
        AudioKind.GREETING: DurationLimits(0.5, 120.0),
        AudioKind.HOLD_MUSIC: DurationLimits(5.0, 1200.0),
        AudioKind.VOICEMAIL_GREETING: DurationLimits(0.5, 60.0),
        AudioKind.CLOSED_MESSAGE: DurationLimits(0.5, 120.0),
        AudioKind.SAFE_HARBOUR: DurationLimits(0.5, 10.0),
    }
)


def check_audio(
    data: bytes,
    filename: str,
    kind: AudioKind,
    max_bytes: int = MAX_BYTES,
    *,
    size: int | None = None,
) -> AudioInfo:
    """Validate one upload for ``kind``; raises ``AudioError`` with the reason. ``size``:
    the whole file's, when ``data`` is only its beginning (a reader stops past the limit)."""
    claimed = _claimed_format(filename)
    if not data:
        raise AudioError(Problem.EMPTY, "the file is empty")
    total = max(size or 0, len(data))
    if total > max_bytes:
        shown, limit = _mb(total), _mb(max_bytes)
        if shown == limit:  # just over: megabytes to one decimal would read as equal
            shown, limit = f"{shown} ({total:,} bytes)", f"{limit} ({max_bytes:,} bytes)"
        raise AudioError(Problem.TOO_LARGE, f"the file is {shown}; the limit is {limit}")
    actual = _sniff(data)
    if actual is not claimed:
        raise AudioError(
            Problem.WRONG_EXTENSION,
            f"{filename!r} is named .{claimed.value} but contains {actual.value.upper()} audio",
        )
    info = parse_wav(data) if actual is AudioFormat.WAV else parse_mp3(data)
    if info.sample_rate not in SAMPLE_RATES:
        raise AudioError(
            Problem.UNSUPPORTED,
            f"sample rate {info.sample_rate} Hz is not supported (8000-48000 Hz)",
        )
    if info.channels > 2:
        raise AudioError(Problem.UNSUPPORTED, f"{info.channels} channels: use mono or stereo")
    _check_duration(info, kind)
    return info


def _claimed_format(filename: str) -> AudioFormat:
    dot = filename.rfind(".")
    ext = filename[dot:].lower() if dot >= 0 else ""
    fmt = EXTENSIONS.get(ext)
    if fmt is None:
        shown = ext or "no extension"
        raise AudioError(Problem.WRONG_EXTENSION, f"{shown}: upload a .wav or .mp3 file")
    return fmt


def _sniff(data: bytes) -> AudioFormat:
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return AudioFormat.WAV
    if data[:3] == b"ID3" or (len(data) >= 2 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0):
        return AudioFormat.MP3
    raise AudioError(Problem.UNSUPPORTED, "the file is neither WAV nor MP3 audio")


def _check_duration(info: AudioInfo, kind: AudioKind) -> None:
    limits = LIMITS[kind]
    label = kind.value.replace("_", " ")
    seconds = info.duration_seconds
    if seconds < limits.min_seconds:
        raise AudioError(
            Problem.TOO_SHORT,
            f"{seconds:.1f} s is too short for a {label} (at least {limits.min_seconds:g} s)",
        )
    if seconds > limits.max_seconds:
        raise AudioError(
            Problem.TOO_LONG,
            f"{seconds:.1f} s is too long for a {label} (at most {limits.max_seconds:g} s)",
        )


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"
