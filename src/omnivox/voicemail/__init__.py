"""Voicemail: callers' recorded messages, stored from the recording webhook, listed for
supervisors (and agents, their own), played, assigned and marked done.

Inbound routing reaches it through :class:`VoicemailDesk` (routing's ``VoicemailPort``,
supplied by ``create_app``): :func:`voicemail_instructions`, :func:`after_message` for the
Record action URL, and :func:`store_voicemail` for the recording webhook. Other domains
import only the names below (reports to come follow :class:`VoicemailReceived` and
:class:`VoicemailChanged`). The HTTP routers live in ``voicemail.api`` and
``voicemail.views`` (kept out of this surface).
"""

from omnivox.voicemail.desk import VoicemailDesk
from omnivox.voicemail.events import VoicemailChanged, VoicemailReceived, VoicemailSummary
from omnivox.voicemail.instructions import ACTION_MARK, after_message, voicemail_instructions
from omnivox.voicemail.models import Voicemail
from omnivox.voicemail.service import store_voicemail

__all__ = [
    "ACTION_MARK",
    "Voicemail",
    "VoicemailChanged",
    "VoicemailDesk",
    "VoicemailReceived",
    "VoicemailSummary",
    "after_message",
    "store_voicemail",
    "voicemail_instructions",
]
