"""Telephony: the call state machine (pure), the provider interface (``ports``), calls and
their legs, webhook ingress, call control, and the sandbox carrier (a Twilio emulator).

Second in the domain order: it imports accounts only. What it needs of later domains it
names in ``domain_ports`` (``ManualDialCheck``, ``AgentHoldsCall``) and ``create_app``
supplies. The HTTP routers live in ``telephony.api`` and ``telephony.webhooks_api`` (kept
out of this surface so importing the domain does not pull in the web layer).
"""

from omnivox.telephony.calls import call_summary, get_visible_call
from omnivox.telephony.domain_ports import AgentHoldsCall, ManualDialCheck
from omnivox.telephony.fsm_types import Owner, OwnerKind
from omnivox.telephony.hooks import HookUrls
from omnivox.telephony.instructions import Instruction, Play, Say
from omnivox.telephony.models import Call
from omnivox.telephony.ports import RecordingStatusChanged
from omnivox.telephony.schemas import CallCreate, CallRead

__all__ = [
    "AgentHoldsCall",
    "Call",
    "CallCreate",
    "CallRead",
    "HookUrls",
    "Instruction",
    "ManualDialCheck",
    "Owner",
    "OwnerKind",
    "Play",
    "RecordingStatusChanged",
    "Say",
    "call_summary",
    "get_visible_call",
]
