"""RIFF/WAVE parsing for the audio library: PCM only, every chunk size checked.

Parsed by hand rather than with the ``wave`` module because ``wave`` trusts the header's
frame count, so a truncated upload would pass with a duration it does not have; here the
``data`` chunk must be as long as it says.
"""

from __future__ import annotations

import struct

from omnivox.media.audio_types import AudioError, AudioFormat, AudioInfo, Problem

__all__ = ["parse_wav"]

PCM = 0x0001
EXTENSIBLE = 0xFFFE
PCM_SUBFORMAT = b"\x01\x00\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"
ENCODINGS = {0x0003: "IEEE float", 0x0006: "A-law", 0x0007: "mu-law", 0x0011: "IMA ADPCM"}


def parse_wav(data: bytes) -> AudioInfo:
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise AudioError(Problem.CORRUPT, "not a WAV file: the RIFF/WAVE header is missing")
    fmt: tuple[int, int, int, int, int, int] | None = None
    pos = 12
    while pos + 8 <= len(data):
        chunk_id, size = data[pos : pos + 4], struct.unpack_from("<I", data, pos + 4)[0]
        body = pos + 8
        if chunk_id == b"fmt ":
            fmt = _fmt(data[body : body + size])
        elif chunk_id == b"data":
            if fmt is None:
                raise AudioError(Problem.CORRUPT, "WAV audio data comes before its format")
            if body + size > len(data):
                missing = body + size - len(data)
                raise AudioError(Problem.TRUNCATED, f"WAV audio data is {missing} bytes short")
            return _info(fmt, size)
        pos = body + size + (size & 1)  # chunks are padded to an even length
    if fmt is None:
        raise AudioError(Problem.CORRUPT, "WAV file has no format chunk")
    raise AudioError(Problem.TRUNCATED, "WAV file has no audio data chunk")


def _fmt(body: bytes) -> tuple[int, int, int, int, int, int]:
    if len(body) < 16:
        raise AudioError(Problem.CORRUPT, "WAV format chunk is too short")
    tag, channels, rate, byte_rate, align, bits = struct.unpack_from("<HHIIHH", body)
    if tag == EXTENSIBLE and len(body) >= 40 and body[24:40] == PCM_SUBFORMAT:
        tag = PCM
    if tag != PCM:
        name = ENCODINGS.get(tag, f"format 0x{tag:04x}")
        raise AudioError(
            Problem.UNSUPPORTED, f"WAV encoding {name} is not supported: save it as PCM WAV"
        )
    if bits not in (8, 16, 24, 32) or channels < 1:
        raise AudioError(Problem.CORRUPT, f"WAV format is invalid ({channels} ch, {bits} bit)")
    if align != channels * bits // 8 or byte_rate != rate * align:
        raise AudioError(Problem.CORRUPT, "WAV format chunk is inconsistent (block/byte rate)")
    return tag, channels, rate, byte_rate, align, bits


def _info(fmt: tuple[int, int, int, int, int, int], data_size: int) -> AudioInfo:
    _, channels, rate, _, align, _ = fmt
    frames = data_size // align
    if frames == 0 or rate == 0:
        raise AudioError(Problem.EMPTY, "WAV file contains no audio")
    return AudioInfo(AudioFormat.WAV, frames / rate, rate, channels, "audio/wav")
