"""The dialler: pacing policies (pure, ``dialer.pacing``), the discrete-event simulator
(``dialer.simulation``), and the live engine (leases, pacing, answering, outcomes, live
statistics) with its data access (contact selection, attempts); the manual-dial law,
click-to-call, preview and manual campaigns.

Last in the domain order: no domain imports it. What earlier domains need of it they name
as a port (telephony's ``ManualDialCheck``, routing's ``HeldAgents``) and ``create_app``
supplies the names below; reports and analytics to come follow its typed events. The HTTP
router lives in ``dialer.api`` (kept out of this surface).
"""

from omnivox.dialer.contacts import previewing_agents
from omnivox.dialer.dial_rules import DialRefused, check_manual_dial
from omnivox.dialer.events import CallTakenBack
from omnivox.dialer.figures import CampaignNow, campaign_figures, campaigns_now
from omnivox.dialer.wiring import Dialer, build_dialer

__all__ = [
    "CallTakenBack",
    "CampaignNow",
    "DialRefused",
    "Dialer",
    "build_dialer",
    "campaign_figures",
    "campaigns_now",
    "check_manual_dial",
    "previewing_agents",
]
