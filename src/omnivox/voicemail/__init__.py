"""Voicemail: callers' recorded messages, stored from the recording webhook, listed for
supervisors (and agents, their own), played, assigned and marked done.

Inbound routing reaches it through :class:`VoicemailDesk` (routing's ``VoicemailPort``,
supplied by ``create_app``): :func:`voicemail_instructions`, :func:`after_message` for the
Record action URL, and :func:`store_voicemail` for the recording webhook. The HTTP
routers live in ``voicemail.api`` and ``voicemail.views``.
"""

from omnivox.voicemail.desk import VoicemailDesk
from omnivox.voicemail.instructions import ACTION_MARK, after_message, voicemail_instructions
from omnivox.voicemail.models import Voicemail
from omnivox.voicemail.service import store_voicemail

__all__ = [
    "ACTION_MARK",
    "Voicemail",
    "VoicemailDesk",
    "after_message",
    "store_voicemail",
    "voicemail_instructions",
]
