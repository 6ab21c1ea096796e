"""MP3 (MPEG-1/2/2.5 Layer III) parsing for the audio library: walk every frame header.

Why by hand rather than with ``mutagen``: mutagen estimates duration from the first
frame and the file size and forgives damage, which is right for a tag editor but not for
an upload check - here every frame header must be valid, consistent and complete, so a
truncated or corrupted upload is refused with the byte offset of the problem. Duration is
exact: frames x samples per frame / sample rate (a Xing/Info header frame carries no
audio and is not counted). ID3v2 (start) and ID3v1 (end) tags are skipped.
"""

from __future__ import annotations

from omnivox.media.audio_types import AudioError, AudioFormat, AudioInfo, Problem

__all__ = ["parse_mp3"]

_BITRATES_V1 = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
_BITRATES_V2 = (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)
_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}
_LAYERS = {1: "III", 2: "II", 3: "I"}


class _Frame:
    __slots__ = ("channels", "length", "rate", "samples", "version", "xing")

    def __init__(self, data: bytes, pos: int) -> None:
        b1, b2, b3 = data[pos + 1], data[pos + 2], data[pos + 3]
        if data[pos] != 0xFF or b1 & 0xE0 != 0xE0:
            raise AudioError(Problem.CORRUPT, f"no MP3 frame sync at byte {pos}")
        version, layer = (b1 >> 3) & 3, (b1 >> 1) & 3
        if version == 1 or layer == 0:
            raise AudioError(Problem.CORRUPT, f"reserved MPEG version or layer at byte {pos}")
        if layer != 1:
            raise AudioError(
                Problem.UNSUPPORTED, f"MPEG layer {_LAYERS[layer]} audio is not MP3 (layer III)"
            )
        bitrate_index, rate_index = b2 >> 4, (b2 >> 2) & 3
        if bitrate_index in (0, 15) or rate_index == 3:
            raise AudioError(Problem.CORRUPT, f"invalid MP3 bitrate or sample rate at byte {pos}")
        kbps = (_BITRATES_V1 if version == 3 else _BITRATES_V2)[bitrate_index]
        self.version = version
        self.rate = _RATES[version][rate_index]
        self.samples = 1152 if version == 3 else 576
        per_kbps = 144000 if version == 3 else 72000
        self.length = per_kbps * kbps // self.rate + ((b2 >> 1) & 1)
        mono = b3 >> 6 == 3
        self.channels = 1 if mono else 2
        side = (17 if mono else 32) if version == 3 else (9 if mono else 17)
        self.xing = data[pos + 4 + side : pos + 8 + side] in (b"Xing", b"Info")


def _audio_span(data: bytes) -> tuple[int, int]:
    """Where the frames are: after an ID3v2 tag, before an ID3v1 tag."""
    start, end = 0, len(data)
    if data[:3] == b"ID3" and len(data) >= 10:
        size = 0
        for byte in data[6:10]:  # "syncsafe" integer: 7 bits per byte
            if byte & 0x80:
                raise AudioError(Problem.CORRUPT, "MP3 ID3 tag header is invalid")
            size = (size << 7) | byte
        start = 10 + size + (10 if data[5] & 0x10 else 0)  # footer flag
        if start > len(data):
            raise AudioError(Problem.TRUNCATED, "MP3 file ends inside its ID3 tag")
    if end - start >= 128 and data[end - 128 : end - 125] == b"TAG":
        end -= 128
    return start, end


def parse_mp3(data: bytes) -> AudioInfo:
    pos, end = _audio_span(data)
    first: _Frame | None = None
    samples = 0
    while pos < end:
        if end - pos < 4:
            raise AudioError(Problem.TRUNCATED, f"MP3 file ends inside a frame header at {pos}")
        frame = _Frame(data, pos)
        if first is None:
            first = frame
        elif (frame.version, frame.rate) != (first.version, first.rate):
            raise AudioError(Problem.CORRUPT, f"MP3 frame at byte {pos} changes sample rate")
        if pos + frame.length > end:
            short = pos + frame.length - end
            raise AudioError(Problem.TRUNCATED, f"last MP3 frame is {short} bytes short")
        if not (frame.xing and samples == 0):
            samples += frame.samples
        pos += frame.length
    if first is None or samples == 0:
        raise AudioError(Problem.EMPTY, "MP3 file contains no audio frames")
    return AudioInfo(
        AudioFormat.MP3, samples / first.rate, first.rate, first.channels, "audio/mpeg"
    )
