"""The sandbox's control API: what the far end does, for tests, demos and the UI.

SIMULATED. Place an inbound call from a virtual party, make a party press digits or hang
up, drop a line, script how outbound numbers behave, and read every call's event log.
Not part of Twilio's API; the lead mounts it beside the REST emulation (e.g. ``/sandbox``).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from omnivox.telephony.sandbox.carrier import SandboxCarrier
from omnivox.telephony.sandbox.model import SandboxCall, SandboxConference
from omnivox.telephony.sandbox.parties import PartyBehaviour, PartyScript


class ScriptIn(BaseModel):
    behaviour: PartyBehaviour = PartyBehaviour.ANSWER
    ring_seconds: float = Field(2.0, ge=0)
    hang_up_after: float | None = Field(None, ge=0)
    network_failure_after: float | None = Field(None, ge=0)
    digits: list[tuple[float, str]] = Field(default_factory=list)
    amd_seconds: float = Field(2.5, ge=0)
    greeting_seconds: float = Field(8.0, ge=0)

    def to_script(self) -> PartyScript:
        return PartyScript(
            behaviour=self.behaviour,
            ring_seconds=self.ring_seconds,
            hang_up_after=self.hang_up_after,
            network_failure_after=self.network_failure_after,
            digits=tuple(self.digits),
            amd_seconds=self.amd_seconds,
            greeting_seconds=self.greeting_seconds,
        )


class InboundCallIn(BaseModel):
    from_: str = Field(alias="from")
    to: str
    script: ScriptIn = Field(default_factory=ScriptIn)


class DigitsIn(BaseModel):
    digits: str = Field(pattern=r"^[0-9*#w]+$")


def call_view(call: SandboxCall) -> dict[str, Any]:
    return {
        "sid": call.sid,
        "parent_call_sid": call.parent_call_sid,
        "from": call.from_,
        "to": call.to,
        "direction": call.direction,
        "status": call.status,
        "answered_by": call.answered_by,
        "conference_sid": call.conference_sid,
        "events": [
            {"at": e.at.isoformat(), "kind": e.kind, **_jsonable(e.detail)} for e in call.log
        ],
    }


def conference_view(conf: SandboxConference, carrier: SandboxCarrier) -> dict[str, Any]:
    """Who is in a conference and how each hears it (what a monitor test checks)."""

    def who(sid: str) -> str | None:
        call = carrier.calls.get(sid)
        return call.softphone_identity if call is not None else None

    return {
        "sid": conf.sid,
        "friendly_name": conf.friendly_name,
        "status": conf.status,
        "participants": [
            {
                "call_sid": p.call_sid,
                "label": p.label,
                "softphone_identity": who(p.call_sid),
                "muted": p.muted,
                "hold": p.hold,
                "coaching": p.coaching,
                "call_sid_to_coach": p.call_sid_to_coach,
            }
            for p in conf.participants.values()
        ],
    }


def _jsonable(detail: dict[str, Any]) -> dict[str, Any]:
    return {
        k: v if isinstance(v, str | int | float | bool | dict | None) else str(v)
        for k, v in detail.items()
    }


def sandbox_control_router(carrier: SandboxCarrier) -> APIRouter:
    router = APIRouter(prefix="/control", tags=["sandbox carrier"])

    def _call(sid: str) -> SandboxCall:
        try:
            return carrier.find_call(sid)
        except KeyError:
            raise HTTPException(404, f"no sandbox call {sid}") from None

    @router.get("/calls")
    async def list_calls() -> list[dict[str, Any]]:
        return [call_view(c) for c in carrier.calls.values()]

    @router.get("/calls/{sid}")
    async def get_call(sid: str) -> dict[str, Any]:
        return call_view(_call(sid))

    @router.get("/conferences")
    async def list_conferences() -> list[dict[str, Any]]:
        return [conference_view(c, carrier) for c in carrier.conferences.values()]

    @router.post("/inbound-calls", status_code=201)
    async def place_inbound(body: InboundCallIn) -> dict[str, Any]:
        try:
            call = await carrier.place_inbound_call(body.from_, body.to, body.script.to_script())
        except KeyError as exc:
            raise HTTPException(404, str(exc)) from None
        return call_view(call)

    @router.post("/calls/{sid}/digits", status_code=204)
    async def press(sid: str, body: DigitsIn) -> None:
        _call(sid)
        try:
            carrier.press_digits(sid, body.digits)
        except ValueError as exc:
            raise HTTPException(409, str(exc)) from None

    @router.post("/calls/{sid}/hangup", status_code=204)
    async def hang_up(sid: str) -> None:
        _call(sid)
        carrier.hang_up_party(sid)

    @router.post("/calls/{sid}/network-failure", status_code=204)
    async def drop(sid: str) -> None:
        _call(sid)
        carrier.fail_network(sid)

    @router.put("/numbers/{number}/script", status_code=204)
    async def script(number: str, body: ScriptIn) -> None:
        carrier.script_number(number, body.to_script())

    return router
