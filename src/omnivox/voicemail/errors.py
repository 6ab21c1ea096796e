"""Errors of the voicemail domain, each with a stable code."""

from __future__ import annotations

from omnivox.core.errors import Conflict, DomainError


class VoicemailClosed(Conflict):
    code = "voicemail-done"
    title = "This voicemail is already done"


class NoRecordingAudio(DomainError):
    """The sandbox carrier keeps a recording's duration, never audio."""

    code = "voicemail-no-audio"
    status = 409
    title = "No audio for this recording"
