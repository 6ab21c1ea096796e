"""Outbound campaigns: campaigns, contact lists and CSV imports, do-not-call, retry rules,
callbacks, and the data side of the dialler (selection and outcomes).

The dialler engine calls ``select_dialable_contacts``, ``begin_attempt``,
``record_attempt_outcome``, ``is_dnc``, ``due_callbacks`` and ``get_dial_settings``.
"""

from omnivox.campaigns.callbacks import due_callbacks
from omnivox.campaigns.dialing import (
    DialCandidate,
    DialSettings,
    begin_attempt,
    claim_contact,
    get_dial_settings,
    record_attempt_outcome,
    release_unplaced_attempt,
    select_dialable_contacts,
    set_attempt_call,
)
from omnivox.campaigns.dnc import is_dnc
from omnivox.campaigns.rules import Outcome

__all__ = [
    "DialCandidate",
    "DialSettings",
    "Outcome",
    "begin_attempt",
    "claim_contact",
    "due_callbacks",
    "get_dial_settings",
    "is_dnc",
    "record_attempt_outcome",
    "release_unplaced_attempt",
    "select_dialable_contacts",
    "set_attempt_call",
]
