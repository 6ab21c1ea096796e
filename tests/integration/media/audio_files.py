"""Real audio for the tests: PCM WAV written with the standard library's ``wave``."""

from __future__ import annotations

import io
import math
import struct
import wave


def wav(seconds: float, rate: int = 8000, channels: int = 1) -> bytes:
    """A 440 Hz tone, so the file is audible when previewed, not silence."""
    frames = int(seconds * rate)
    samples = (int(8000 * math.sin(2 * math.pi * 440 * n / rate)) for n in range(frames))
    pcm = b"".join(struct.pack("<h", s) * channels for s in samples)
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm)
    return buf.getvalue()


def corrupt_wav() -> bytes:
    """A RIFF/WAVE header whose format chunk is cut short."""
    return b"RIFF\x10\x00\x00\x00WAVEfmt garbage-here"
