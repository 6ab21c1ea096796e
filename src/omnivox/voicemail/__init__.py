"""Voicemail: callers' recorded messages, stored from the recording webhook, listed for
supervisors (and agents, their own), played, assigned and marked done.

Call answering uses :func:`voicemail_instructions` (and :func:`after_message` for the
Record action URL) and the recording webhook calls :func:`store_voicemail`. The HTTP
routers live in ``voicemail.api`` and ``voicemail.views``.
"""

from omnivox.voicemail.instructions import ACTION_MARK, after_message, voicemail_instructions
from omnivox.voicemail.models import Voicemail
from omnivox.voicemail.service import store_voicemail

__all__ = [
    "ACTION_MARK",
    "Voicemail",
    "after_message",
    "store_voicemail",
    "voicemail_instructions",
]
