"""The sandbox carrier: a local emulator of the part of Twilio that Omnivox uses.

SIMULATED - it places no real calls. It emulates Twilio's REST API (Calls, Conferences,
Participants, Recordings), interprets the TwiML Omnivox emits, plays the far end with
scripted virtual parties, offers calls to browser softphones over a WebSocket, and sends
webhooks signed exactly as Twilio signs them, all on an injected clock. The production
Twilio provider drives it unchanged (only its HTTP base URL differs).

Mount, for example under ``/sandbox``::

    carrier = SandboxCarrier(clock=clock, http=httpx.AsyncClient(), api_base_url=base)
    app.include_router(sandbox_rest_router(carrier), prefix="/sandbox")
    app.include_router(sandbox_control_router(carrier), prefix="/sandbox")
    app.include_router(sandbox_softphone_router(carrier), prefix="/sandbox")
"""

from omnivox.telephony.sandbox.carrier import SandboxCarrier
from omnivox.telephony.sandbox.control import sandbox_control_router
from omnivox.telephony.sandbox.model import SandboxTiming
from omnivox.telephony.sandbox.parties import PartyBehaviour, PartyScript
from omnivox.telephony.sandbox.rest import sandbox_rest_router
from omnivox.telephony.sandbox.signing import twilio_signature
from omnivox.telephony.sandbox.softphone_ws import sandbox_softphone_router, verify_voice_token

__all__ = [
    "PartyBehaviour",
    "PartyScript",
    "SandboxCarrier",
    "SandboxTiming",
    "sandbox_control_router",
    "sandbox_rest_router",
    "sandbox_softphone_router",
    "twilio_signature",
    "verify_voice_token",
]
