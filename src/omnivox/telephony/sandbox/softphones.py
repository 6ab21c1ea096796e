"""Sandbox softphones: agents' browser legs (``<Dial><Client>``) in sandbox mode.

SIMULATED carrier side of a browser softphone. A browser registers under the identity of
its Voice access token (see :mod:`.softphone_ws`), receives ``incoming`` offers for calls to
``client:<identity>``, and answers, rejects, hangs up or sends digits. No audio flows.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from omnivox.telephony.sandbox import legs
from omnivox.telephony.sandbox.model import SandboxCall
from omnivox.telephony.sandbox.switch import Switch


@dataclass(slots=True, eq=False)
class SoftphoneSession:
    identity: str
    account_sid: str
    outbox: asyncio.Queue[dict[str, Any]] = field(default_factory=asyncio.Queue)
    answered: set[str] = field(default_factory=set)  # calls this browser picked up

    def send(self, message: dict[str, Any]) -> None:
        self.outbox.put_nowait(message)


class SoftphoneRegistry:
    def __init__(self, carrier: Switch) -> None:
        self._carrier = carrier
        self._sessions: dict[str, SoftphoneSession] = {}

    def register(self, identity: str, account_sid: str) -> SoftphoneSession:
        """A newer registration replaces an older one for the same identity."""
        session = SoftphoneSession(identity, account_sid)
        self._sessions[identity] = session
        return session

    def unregister(self, session: SoftphoneSession) -> None:
        """The browser went away (tab closed or reloaded, network gone): as with the Voice
        SDK, the calls it had answered end with it."""
        if self._sessions.get(session.identity) is session:
            del self._sessions[session.identity]
        for sid in session.answered:
            call = self._carrier.calls.get(sid)
            if call is not None and not call.is_final:
                self._carrier.end_call(call, "completed", HungUpBy="client-gone")
        session.answered.clear()

    async def ring(self, call: SandboxCall) -> bool:
        """Offer the call to the registered browser; True once it answers in time."""
        carrier = self._carrier
        session = self._sessions.get(call.softphone_identity or "")
        await carrier.set_status(call, "ringing")
        if session is not None and session.account_sid == call.account_sid:
            session.send(
                {
                    "type": "incoming",
                    "call_sid": call.sid,
                    "parent_call_sid": call.parent_call_sid,
                    "from": call.from_,
                    "to": call.to,
                    "params": dict(call.client_params),
                }
            )
        answered = await carrier.runtime.wait(call.answered, float(call.timeout_seconds))
        if answered:
            return True
        carrier.end_call(call, "no-answer")
        if session is not None:
            session.send({"type": "canceled", "call_sid": call.sid})
        return False

    def notify(self, call: SandboxCall) -> None:
        session = self._sessions.get(call.softphone_identity or "")
        if session is not None:
            session.send({"type": "call-status", "call_sid": call.sid, "status": call.status})

    def handle(self, session: SoftphoneSession, message: dict[str, Any]) -> str | None:
        """Apply a browser message; returns an error text for the browser, or None."""
        carrier = self._carrier
        call = carrier.calls.get(str(message.get("call_sid", "")))
        if call is None or call.softphone_identity != session.identity:
            return "unknown call"
        kind = message.get("type")
        if kind == "answer" and call.status == "ringing":
            session.answered.add(call.sid)
            carrier.runtime.spawn(legs.answer(carrier, call), name=f"answer {call.sid}")
        elif kind == "reject" and call.status == "ringing":
            carrier.end_call(call, "busy")
        elif kind == "hangup":
            carrier.hang_up_party(call.sid)
        elif kind == "digits" and call.start_time is not None:
            carrier.press_digits(call.sid, str(message.get("digits", "")))
        else:
            return f"cannot {kind} a {call.status} call"
        return None
