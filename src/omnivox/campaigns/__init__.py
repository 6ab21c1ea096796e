"""Outbound campaigns: campaigns, contact lists and CSV imports, do-not-call, retry rules
(pure: ``rules``), callbacks, and the tables the dialler works on.

Other domains import only the names below. The dialler (``omnivox.dialer``: selection,
attempts and outcomes) reads and writes the campaign tables through this surface: the
models, the pure rules, ``is_dnc``, ``add_to_dnc_if_missing`` and ``DNC_ORG_SCOPE``, and
``due_callbacks``; it follows the typed campaign events. The HTTP routers live in
``campaigns.api`` and ``campaigns.views``, and the command line in ``campaigns.cli`` (kept
out of this surface).
"""

from omnivox.campaigns.callbacks import due_callbacks
from omnivox.campaigns.campaigns import get_campaign, list_campaigns
from omnivox.campaigns.dnc import ORG_SCOPE as DNC_ORG_SCOPE
from omnivox.campaigns.dnc import add_if_missing as add_to_dnc_if_missing
from omnivox.campaigns.dnc import is_dnc
from omnivox.campaigns.errors import UnknownDisposition
from omnivox.campaigns.events import (
    CampaignCompleted,
    CampaignPaused,
    CampaignStarted,
    CampaignStatusChanged,
    ImportProgressed,
)
from omnivox.campaigns.lists import contact_history, get_contact
from omnivox.campaigns.models import (
    DEFAULT_AMD_FALSE_POSITIVE_ESTIMATE,
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
    "DEFAULT_AMD_FALSE_POSITIVE_ESTIMATE",
    "DIALABLE_STATUSES",
    "DNC_ORG_SCOPE",
    "AttemptRead",
    "Block",
    "CallingWindow",
    "Campaign",
    "CampaignCompleted",
    "CampaignList",
    "CampaignPaused",
    "CampaignStarted",
    "CampaignStatusChanged",
    "Contact",
    "ContactAttempt",
    "ContactProgress",
    "ContactRead",
    "ContactView",
    "DispositionInfo",
    "DncEntry",
    "ImportProgressed",
    "Outcome",
    "RetryRule",
    "ScheduledCallback",
    "UnknownDisposition",
    "add_to_dnc_if_missing",
    "apply_outcome",
    "blocks",
    "contact_history",
    "due_callbacks",
    "get_campaign",
    "get_contact",
    "in_window",
    "infer_zones",
    "is_dnc",
    "list_campaigns",
    "open_zone_keys",
    "zones_in",
]
