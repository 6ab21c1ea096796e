"""Telephony: the call state machine (pure), the provider interface (``ports``), calls and
their legs, webhook ingress, call control, and the sandbox carrier (a Twilio emulator).

Second in the domain order: it imports accounts only. What it needs of later domains it
names in ``domain_ports`` (``ManualDialCheck``, ``AgentHoldsCall``) and ``plugins``, and
``create_app`` supplies. Other domains import only the names below: the call row and its
summary, the call states and triggers (enums owned by the state machine), the typed call
events they subscribe to, the TwiML-level instructions they answer a call with, the
provider-neutral webhook values, and :class:`TelephonyService` for placing and steering
calls. The HTTP routers live in ``telephony.api`` and ``telephony.webhooks_api``, and the
sandbox carrier's in ``telephony.sandbox``; ``create_app`` mounts them.
"""

from omnivox.telephony.calls import call_summary, get_call, get_visible_call, summary_of
from omnivox.telephony.domain_ports import AgentHoldsCall, ManualDialCheck
from omnivox.telephony.errors import ProviderError
from omnivox.telephony.events import (
    CallCreated,
    CallEnded,
    CallEventBase,
    CallLegChanged,
    CallMuted,
    CallPartDispositioned,
    CallRecordingChanged,
    CallStateChanged,
    CallSummary,
    CallSupervised,
    CallUnmuted,
    LegSummary,
    LineConnected,
    LineDropped,
    OwnerRef,
    RecordingRef,
)
from omnivox.telephony.fsm_table import SYSTEM_DISPOSITION_MACHINE, SYSTEM_DISPOSITIONS
from omnivox.telephony.fsm_types import (
    PRE_ANSWER_STATES,
    TALKING_STATES,
    TERMINAL_STATES,
    AnsweredBy,
    CallState,
    CancelRequested,
    Direction,
    EndReason,
    Owner,
    OwnerKind,
    ProviderStatus,
    SystemHangup,
    Trigger,
)
from omnivox.telephony.hooks import HookUrls
from omnivox.telephony.instructions import (
    Dial,
    DialNumber,
    Gather,
    Hangup,
    Instruction,
    Play,
    Record,
    Redirect,
    Say,
)
from omnivox.telephony.legs import agent_identity, monitor_identity
from omnivox.telephony.lines import LineService, LineStatus, LineView
from omnivox.telephony.models import AgentLine, Call, CallEventRow, CallLeg, Recording
from omnivox.telephony.ports import (
    MachineDetectionMode,
    ParticipantChange,
    RecordingStatus,
    RecordingStatusChanged,
    VoiceRequest,
    WebhookKind,
)
from omnivox.telephony.recording_media import AUDIO_TYPE, RecordingUnavailable, fetch_mp3
from omnivox.telephony.recording_media import has_audio as recording_has_audio
from omnivox.telephony.runtime import TelephonyRuntime, runtime_of
from omnivox.telephony.sandbox.parties import PartyScript
from omnivox.telephony.schemas import CallCreate, CallRead
from omnivox.telephony.service import AgentUnavailable, TelephonyService

__all__ = [
    "AUDIO_TYPE",
    "PRE_ANSWER_STATES",
    "SYSTEM_DISPOSITIONS",
    "SYSTEM_DISPOSITION_MACHINE",
    "TALKING_STATES",
    "TERMINAL_STATES",
    "AgentHoldsCall",
    "AgentLine",
    "AgentUnavailable",
    "AnsweredBy",
    "Call",
    "CallCreate",
    "CallCreated",
    "CallEnded",
    "CallEventBase",
    "CallEventRow",
    "CallLeg",
    "CallLegChanged",
    "CallMuted",
    "CallPartDispositioned",
    "CallRead",
    "CallRecordingChanged",
    "CallState",
    "CallStateChanged",
    "CallSummary",
    "CallSupervised",
    "CallUnmuted",
    "CancelRequested",
    "Dial",
    "DialNumber",
    "Direction",
    "EndReason",
    "Gather",
    "Hangup",
    "HookUrls",
    "Instruction",
    "LegSummary",
    "LineConnected",
    "LineDropped",
    "LineService",
    "LineStatus",
    "LineView",
    "MachineDetectionMode",
    "ManualDialCheck",
    "Owner",
    "OwnerKind",
    "OwnerRef",
    "ParticipantChange",
    "PartyScript",
    "Play",
    "ProviderError",
    "ProviderStatus",
    "Record",
    "Recording",
    "RecordingRef",
    "RecordingStatus",
    "RecordingStatusChanged",
    "RecordingUnavailable",
    "Redirect",
    "Say",
    "SystemHangup",
    "TelephonyRuntime",
    "TelephonyService",
    "Trigger",
    "VoiceRequest",
    "WebhookKind",
    "agent_identity",
    "call_summary",
    "fetch_mp3",
    "get_call",
    "get_visible_call",
    "monitor_identity",
    "recording_has_audio",
    "runtime_of",
    "summary_of",
]
