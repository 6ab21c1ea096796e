"""Errors of the audio library, each with a stable code."""

from __future__ import annotations

from omnivox.core.errors import Conflict, DomainError
from omnivox.media.audio_types import AudioError, Problem

# How each validation problem answers over HTTP: the file is too big (413), not audio we
# take (415), or audio that is broken or the wrong length (422).
_STATUS = {
    Problem.TOO_LARGE: 413,
    Problem.WRONG_EXTENSION: 415,
    Problem.UNSUPPORTED: 415,
}


class AudioRejected(DomainError):
    """An upload refused by validation; ``code`` is the validator's (``audio-corrupt``...)."""

    code = "audio-rejected"
    status = 422
    title = "The audio file was not accepted"

    def __init__(self, error: AudioError) -> None:
        super().__init__(error.reason)
        self.code = error.code
        self.status = _STATUS.get(error.problem, 422)


class AudioInUse(Conflict):
    code = "audio-in-use"
    title = "The audio file is in use"


class AudioFileMissing(DomainError):
    """The row exists but the file is gone from disk (deleted by hand, wrong data dir)."""

    code = "audio-file-missing"
    status = 410
    title = "The audio file is missing from storage"
