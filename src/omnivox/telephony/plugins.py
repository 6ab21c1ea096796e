"""What later domains plug into the call core, given to the ingress and to call control
when they are built (telephony never imports routing or the dialler)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from omnivox.telephony.domain_ports import ManualDialCheck
from omnivox.telephony.fsm_types import AnsweredBy, OwnerKind
from omnivox.telephony.instructions import Instruction
from omnivox.telephony.models import Call
from omnivox.telephony.ports import RecordingStatusChanged, VoiceRequest


class InboundHandler(Protocol):
    """Answers calls to Omnivox's numbers (implemented by inbound routing)."""

    async def answer(self, request: VoiceRequest) -> Sequence[Instruction] | None:
        """Instructions for the caller, or None when the number is not Omnivox's."""
        ...

    async def check_queue(self, org_id: str, queue_id: str) -> None:
        """Raise a DomainError when the queue does not exist in the organisation."""
        ...

    async def enqueue_transfer(self, call: Call, queue_id: str) -> None:
        """Put a call an agent transferred into the queue (the customer is on hold)."""
        ...

    async def step(self, call: Call, query: Mapping[str, str]) -> Sequence[Instruction] | None:
        """Instructions for a later step of an inbound call (voicemail, after a message)."""
        ...

    async def on_recording(self, call: Call, event: RecordingStatusChanged) -> bool:
        """Take a recording that is not a call recording (a voicemail); True if taken."""
        ...

    async def hold_music_url(self, org_id: str) -> str | None:
        """The organisation's hold music link, or None for the carrier's default."""
        ...


class AnswerHandler(Protocol):
    """What happens when a call of one owner kind is answered (the dialler registers one
    for campaign calls): the instructions for the answered party, and what to do when
    answering-machine detection reports."""

    async def on_answer(self, call: Call, request: VoiceRequest) -> Sequence[Instruction]: ...

    async def on_machine_detection(self, call: Call, answered_by: AnsweredBy) -> None: ...


@dataclass(frozen=True)
class CallPlugins:
    inbound: InboundHandler | None = None
    answer_handlers: Mapping[OwnerKind, AnswerHandler] = field(default_factory=dict)
    # The dialler's manual-dial law, asked before an external transfer or a third party;
    # None: such numbers are refused rather than dialled unchecked.
    manual_dial: ManualDialCheck | None = None

    def answer_handler(self, call: Call) -> AnswerHandler | None:
        return self.answer_handlers.get(OwnerKind(call.owner_kind))

    async def hold_music(self, org_id: str) -> str | None:
        return await self.inbound.hold_music_url(org_id) if self.inbound is not None else None
