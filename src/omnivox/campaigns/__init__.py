"""Outbound campaigns: campaigns, contact lists and CSV imports, do-not-call, retry rules
(pure: ``rules``), callbacks, and the tables the dialler works on.

The dialler (``omnivox.dialer``: selection, attempts and outcomes) reads and writes these
through this surface: the models, the pure rules, ``is_dnc`` and the ``dnc`` module, and
``due_callbacks``.
"""

from omnivox.campaigns import dnc
from omnivox.campaigns.callbacks import due_callbacks
from omnivox.campaigns.campaigns import get_campaign
from omnivox.campaigns.dnc import is_dnc
from omnivox.campaigns.errors import UnknownDisposition
from omnivox.campaigns.lists import contact_history, get_contact
from omnivox.campaigns.models import (
    Campaign,
    CampaignList,
    Contact,
    ContactAttempt,
    DncEntry,
    ScheduledCallback,
)
from omnivox.campaigns.phones import infer_zones
from omnivox.campaigns.rules import (
    ABANDON_REDIAL_HOLD,
    DIALABLE_STATUSES,
    Block,
    CallingWindow,
    ContactProgress,
    ContactView,
    DispositionInfo,
    Outcome,
    RetryRule,
    apply_outcome,
    blocks,
    in_window,
    open_zone_keys,
    zones_in,
)
from omnivox.campaigns.schemas import AttemptRead, ContactRead

__all__ = [
    "ABANDON_REDIAL_HOLD",
    "DIALABLE_STATUSES",
    "AttemptRead",
    "Block",
    "CallingWindow",
    "Campaign",
    "CampaignList",
    "Contact",
    "ContactAttempt",
    "ContactProgress",
    "ContactRead",
    "ContactView",
    "DispositionInfo",
    "DncEntry",
    "Outcome",
    "RetryRule",
    "ScheduledCallback",
    "UnknownDisposition",
    "apply_outcome",
    "blocks",
    "contact_history",
    "dnc",
    "due_callbacks",
    "get_campaign",
    "get_contact",
    "in_window",
    "infer_zones",
    "is_dnc",
    "open_zone_keys",
    "zones_in",
]
