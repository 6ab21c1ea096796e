"""Audio library validation on real WAV files (stdlib ``wave``) and hand-built MP3 frames."""

from __future__ import annotations

import io
import struct
import wave

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from omnivox.media.audio_check import (
    AudioError,
    AudioFormat,
    AudioInfo,
    AudioKind,
    Problem,
    check_audio,
)

K = AudioKind
P = Problem
G = AudioKind.GREETING


def wav(seconds: float, rate: int = 8000, channels: int = 1, width: int = 2) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(b"\x00" * int(seconds * rate) * channels * width)
    return buf.getvalue()


def mp3_frame(
    version: int = 3,
    kbps_index: int = 9,
    rate_index: int = 0,
    mono: bool = True,
    layer: int = 1,
    xing: bool = False,
) -> bytes:
    """One silent MPEG Layer III frame (all side info zero decodes to silence)."""
    b1 = 0xE0 | (version << 3) | (layer << 1) | 1  # no CRC
    b2 = (kbps_index << 4) | (rate_index << 2)
    b3 = 0xC0 if mono else 0x00
    kbps = {3: [0, 32, 40, 48, 56, 64, 80, 96, 112, 128], 2: [0, 8, 16, 24, 32, 40, 48, 56, 64, 80]}
    rate = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000)}[version][rate_index]
    length = (144000 if version == 3 else 72000) * kbps[version][kbps_index] // rate
    frame = bytearray(length)
    frame[:4] = bytes([0xFF, b1, b2, b3])
    if xing:
        side = 17 if mono else 32
        frame[4 + side : 8 + side] = b"Xing"
    return bytes(frame)


def mp3(frames: int, **kw: object) -> bytes:
    return mp3_frame(**kw) * frames  # type: ignore[arg-type]


def id3v2(payload: int = 100) -> bytes:
    size = bytes(
        [(payload >> 21) & 0x7F, (payload >> 14) & 0x7F, (payload >> 7) & 0x7F, payload & 0x7F]
    )
    return b"ID3\x04\x00\x00" + size + b"\x00" * payload


# -- accepted ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name", "kind", "expected"),
    [
        (wav(3), "hello.wav", K.GREETING, AudioInfo(AudioFormat.WAV, 3.0, 8000, 1, "audio/wav")),
        (
            wav(1, 44100, 2),
            "x.WAV",
            K.GREETING,
            AudioInfo(AudioFormat.WAV, 1.0, 44100, 2, "audio/wav"),
        ),
        (
            wav(9.5, 16000),
            "sh.wav",
            K.SAFE_HARBOUR,
            AudioInfo(AudioFormat.WAV, 9.5, 16000, 1, "audio/wav"),
        ),
        (
            wav(6, 8000, 1, 1),
            "m.wave",
            K.HOLD_MUSIC,
            AudioInfo(AudioFormat.WAV, 6.0, 8000, 1, "audio/wav"),
        ),
        (
            mp3(100),
            "a.mp3",
            K.GREETING,
            AudioInfo(AudioFormat.MP3, 100 * 1152 / 44100, 44100, 1, "audio/mpeg"),
        ),
        (
            mp3(50, mono=False),
            "a.mp3",
            K.GREETING,
            AudioInfo(AudioFormat.MP3, 50 * 1152 / 44100, 44100, 2, "audio/mpeg"),
        ),
        (
            mp3(100, version=2, kbps_index=8),
            "v2.mp3",
            K.GREETING,
            AudioInfo(AudioFormat.MP3, 100 * 576 / 22050, 22050, 1, "audio/mpeg"),
        ),
    ],
)
def test_accepts(data: bytes, name: str, kind: AudioKind, expected: AudioInfo) -> None:
    info = check_audio(data, name, kind)
    assert info.duration_seconds == pytest.approx(expected.duration_seconds)
    assert info == AudioInfo(
        expected.format,
        info.duration_seconds,
        expected.sample_rate,
        expected.channels,
        expected.content_type,
    )


def test_mp3_tags_are_skipped_and_the_xing_frame_is_not_audio() -> None:
    body = mp3_frame(xing=True) + mp3(40)
    tagged = id3v2() + body + b"TAG" + b"\x00" * 125
    info = check_audio(tagged, "tagged.mp3", K.GREETING)
    assert info.duration_seconds == pytest.approx(40 * 1152 / 44100)


# -- refused -----------------------------------------------------------------------------


def mulaw_wav() -> bytes:
    fmt = struct.pack("<HHIIHH", 7, 1, 8000, 8000, 1, 8)
    data = b"\xff" * 8000
    body = (
        b"WAVE" + b"fmt " + struct.pack("<I", 16) + fmt + b"data" + struct.pack("<I", 8000) + data
    )
    return b"RIFF" + struct.pack("<I", len(body)) + body


def inconsistent_wav() -> bytes:
    good = bytearray(wav(1))
    struct.pack_into("<I", good, 28, 1234)  # byte rate
    return bytes(good)


def reserved_bitrate_mp3() -> bytes:
    bad = bytearray(mp3(10))
    bad[417 * 5 + 2] = 0xF0  # bitrate index 15 in the 6th frame
    return bytes(bad)


REFUSED = [
    ("empty", b"", "a.wav", G, P.EMPTY, "empty"),
    ("no audio in WAV", wav(0), "a.wav", G, P.EMPTY, "no audio"),
    ("only an ID3 tag", id3v2(), "a.mp3", G, P.EMPTY, "no audio frames"),
    ("WAV named .mp3", wav(2), "a.mp3", G, P.WRONG_EXTENSION, "contains WAV"),
    ("MP3 named .wav", mp3(80), "a.wav", G, P.WRONG_EXTENSION, "contains MP3"),
    ("other extension", wav(2), "a.ogg", G, P.WRONG_EXTENSION, ".ogg"),
    ("no extension", wav(2), "greeting", G, P.WRONG_EXTENSION, "no extension"),
    ("not audio", b"%PDF-1.7 ...", "a.wav", G, P.UNSUPPORTED, "neither"),
    ("truncated WAV", wav(2)[:-100], "a.wav", G, P.TRUNCATED, "100 bytes short"),
    ("WAV header only", wav(2)[:30], "a.wav", G, P.CORRUPT, "format chunk"),
    ("mu-law WAV", mulaw_wav(), "a.wav", G, P.UNSUPPORTED, "mu-law"),
    ("inconsistent WAV", inconsistent_wav(), "a.wav", G, P.CORRUPT, "inconsistent"),
    ("96 kHz WAV", wav(1, 96000), "a.wav", G, P.UNSUPPORTED, "96000 Hz"),
    ("truncated MP3", mp3(80)[:-10], "a.mp3", G, P.TRUNCATED, "10 bytes short"),
    ("garbage mid-MP3", mp3(40) + b"\x00" * 500 + mp3(40), "a.mp3", G, P.CORRUPT, "byte 16680"),
    ("bad bitrate", reserved_bitrate_mp3(), "a.mp3", G, P.CORRUPT, "bitrate"),
    ("rate change", mp3(40) + mp3(40, rate_index=1), "a.mp3", G, P.CORRUPT, "sample rate"),
    ("layer II", mp3(40, layer=2), "a.mp3", G, P.UNSUPPORTED, "layer II"),
    ("cut in ID3", id3v2(1000)[:200], "a.mp3", G, P.TRUNCATED, "ID3"),
    ("long safe harbour", wav(12), "sh.wav", K.SAFE_HARBOUR, P.TOO_LONG, "at most 10 s"),
    ("short hold music", wav(2), "m.wav", K.HOLD_MUSIC, P.TOO_SHORT, "at least 5 s"),
    (
        "long voicemail greeting",
        mp3(2700),
        "v.mp3",
        K.VOICEMAIL_GREETING,
        P.TOO_LONG,
        "voicemail greeting",
    ),
]


@pytest.mark.parametrize(
    ("data", "name", "kind", "problem", "says"),
    [r[1:] for r in REFUSED],
    ids=[r[0] for r in REFUSED],
)
def test_refuses_with_a_reason(data, name, kind, problem, says) -> None:
    with pytest.raises(AudioError) as err:
        check_audio(data, name, kind)
    assert err.value.problem is problem
    assert err.value.code == problem.value
    assert says in str(err.value)


def test_oversize_is_refused_before_parsing() -> None:
    with pytest.raises(AudioError, match=r"10\.0 MB") as err:
        check_audio(b"\x00" * (10 * 1024 * 1024 + 1), "big.wav", K.HOLD_MUSIC)
    assert err.value.problem is Problem.TOO_LARGE
    with pytest.raises(AudioError, match="limit"):
        check_audio(wav(10), "a.wav", K.GREETING, max_bytes=1000)


# -- fuzz: damage is refused with a reason, never a crash ---------------------------------

SAMPLES = {"wav": wav(2), "mp3": id3v2() + mp3_frame(xing=True) + mp3(80)}


@settings(max_examples=300, deadline=None)
@given(
    which=st.sampled_from(sorted(SAMPLES)),
    cut=st.integers(0, 50_000),
    flips=st.lists(st.tuples(st.integers(0, 20_000), st.integers(0, 255)), max_size=4),
)
def test_damaged_files_never_crash(which: str, cut: int, flips) -> None:
    data = bytearray(SAMPLES[which][: max(0, len(SAMPLES[which]) - cut)])
    for pos, value in flips:
        if pos < len(data):
            data[pos] = value
    try:
        info = check_audio(bytes(data), f"x.{which}", K.GREETING)
    except AudioError as err:
        assert str(err)
    else:
        assert 0.5 <= info.duration_seconds <= 120
