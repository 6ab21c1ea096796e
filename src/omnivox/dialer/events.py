"""Events of the dialler, published after commit."""

from __future__ import annotations

from dataclasses import dataclass

from omnivox.telephony import CallEventBase


@dataclass(frozen=True, kw_only=True)
class CallTakenBack(CallEventBase):
    """Answering-machine detection took a call back from the agent it was bridged to: the
    agent's desktop says why the call left them."""

    NAME = "call.taken_back"
    user_id: str
    reason: str
    message: str
