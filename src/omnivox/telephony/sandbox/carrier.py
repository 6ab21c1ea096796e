"""The sandbox carrier: a local, in-memory emulator of the part of Twilio Omnivox uses.

SIMULATED - NO REAL CALLS. The sandbox accepts the same REST requests as Twilio's
2010-04-01 API (through :mod:`.rest`), runs TwiML with :mod:`.interpreter`, plays the far
end with scripted :mod:`.parties`, and sends webhooks signed exactly as Twilio signs them.
It keeps all state in memory and runs on the injected clock, so the production Twilio
provider runs against it unchanged, on a laptop or in tests, with no account.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Mapping
from email.utils import format_datetime
from typing import Any
from urllib.parse import parse_qsl

import httpx

from omnivox.core.clock import Clock
from omnivox.telephony.sandbox import conferences, interpreter, recordings
from omnivox.telephony.sandbox.model import (
    AmdRequest,
    LogEntry,
    SandboxAccount,
    SandboxCall,
    SandboxConference,
    SandboxNumber,
    SandboxRecording,
    SandboxTiming,
    StatusCallback,
    new_sid,
)
from omnivox.telephony.sandbox.parties import DEFAULT_SCRIPT, PartyScript
from omnivox.telephony.sandbox.runtime import Runtime
from omnivox.telephony.sandbox.signing import Delivery, WebhookSender
from omnivox.telephony.sandbox.softphones import SoftphoneRegistry

_log = logging.getLogger("omnivox.telephony.sandbox")

# Which status-callback event announces each call status.
_STATUS_EVENT = {"ringing": "ringing", "in-progress": "answered"}
_SIP_CODES = {"completed": "200", "busy": "486", "no-answer": "487", "canceled": "487"}


class SandboxCarrier:
    """The emulator's state and behaviour; routers in :mod:`.rest`, :mod:`.control` and
    :mod:`.softphone_ws` expose it over HTTP/WebSocket. The parts it drives see it as a
    :class:`~.switch.Switch`.

    ``http`` delivers webhooks (inject an ASGI-transport client in tests);
    ``api_base_url`` is where the REST router is reachable (used in resource URIs).
    """

    def __init__(
        self,
        *,
        clock: Clock,
        http: httpx.AsyncClient,
        api_base_url: str = "http://sandbox.localhost",
        timing: SandboxTiming | None = None,
    ) -> None:
        self.clock = clock
        self.runtime = Runtime(clock)
        self.timing = timing or SandboxTiming()
        self.api_base_url = api_base_url.rstrip("/")
        self._sender = WebhookSender(http)
        self.accounts: dict[str, SandboxAccount] = {}
        self.numbers: dict[str, SandboxNumber] = {}
        self.scripts: dict[str, PartyScript] = {}
        self.calls: dict[str, SandboxCall] = {}
        self.conferences: dict[str, SandboxConference] = {}
        self.recordings: dict[str, SandboxRecording] = {}
        self.softphones = SoftphoneRegistry(self)

    # --- set-up --------------------------------------------------------------------------

    def add_account(
        self, account_sid: str, auth_token: str, api_keys: Mapping[str, str] | None = None
    ) -> SandboxAccount:
        account = SandboxAccount(account_sid, auth_token, dict(api_keys or {}))
        self.accounts[account_sid] = account
        return account

    def configure_number(
        self,
        number: str,
        *,
        account_sid: str,
        voice_url: str,
        status_callback_url: str | None = None,
    ) -> SandboxNumber:
        """Make ``number`` an account's inbound number whose calls fetch ``voice_url``."""
        entry = SandboxNumber(number, account_sid, voice_url, status_callback_url)
        self.numbers[number] = entry
        return entry

    def remove_number(self, number: str) -> None:
        """The number is no longer the account's: calls to it go nowhere."""
        self.numbers.pop(number, None)

    def script_number(self, number: str, script: PartyScript) -> None:
        """Decide how the virtual party at ``number`` behaves when the sandbox calls it."""
        self.scripts[number] = script

    def authenticate(self, account_sid: str, username: str, password: str) -> SandboxAccount | None:
        account = self.accounts.get(account_sid)
        if account is None:
            return None
        if username == account_sid and _same(password, account.auth_token):
            return account
        secret = account.api_keys.get(username)
        if secret is not None and _same(password, secret):
            return account
        return None

    # --- calls -----------------------------------------------------------------------------

    def new_call(
        self,
        account: SandboxAccount,
        *,
        from_: str,
        to: str,
        direction: str,
        parent_call_sid: str | None = None,
        script: PartyScript | None = None,
    ) -> SandboxCall:
        call = SandboxCall(
            sid=new_sid("CA"),
            account_sid=account.account_sid,
            from_=from_,
            to=to,
            direction=direction,
            created_at=self.clock.now(),
            script=script or self.scripts.get(to, DEFAULT_SCRIPT),
            parent_call_sid=parent_call_sid,
        )
        if to.startswith("client:"):
            # Custom parameters ride on the client URI's query (``client:alice?x=1``), as
            # with Twilio; the browser reads them before it answers.
            identity, _, query = to.removeprefix("client:").partition("?")
            call.softphone_identity = identity
            call.client_params = dict(parse_qsl(query))
        self.calls[call.sid] = call
        self.log(call, "created", direction=direction, from_=from_, to=to)
        return call

    def get_call(self, account: SandboxAccount, sid: str) -> SandboxCall:
        call = self.calls.get(sid)
        if call is None or call.account_sid != account.account_sid:
            raise KeyError(sid)
        return call

    def find_call(self, sid: str) -> SandboxCall:
        call = self.calls.get(sid)
        if call is None:
            raise KeyError(sid)
        return call

    def account_of(
        self, call: SandboxCall | SandboxConference | SandboxRecording
    ) -> SandboxAccount:
        return self.accounts[call.account_sid]

    def log(self, call: SandboxCall | SandboxConference, kind: str, **detail: Any) -> None:
        call.log.append(LogEntry(self.clock.now(), kind, detail))

    def set_status_callback(self, call: SandboxCall, url: str | None, events: list[str]) -> None:
        if url:
            # Twilio sends only the final status unless other events are asked for.
            call.status_callback = StatusCallback(
                url=url, events=frozenset(events or ["completed"])
            )

    def set_amd(self, call: SandboxCall, params: Mapping[str, str]) -> None:
        mode = params.get("MachineDetection")
        if mode:
            call.amd = AmdRequest(
                mode=mode,
                asynchronous=params.get("AsyncAmd", "false").lower() == "true",
                callback_url=params.get("AsyncAmdStatusCallback"),
                timeout_seconds=int(params.get("MachineDetectionTimeout", "30")),
            )

    async def set_status(self, call: SandboxCall, status: str, **extra: str) -> None:
        """Move a live call to ``status`` and send its status callback if one is wanted."""
        call.status = status
        self.log(call, "status", status=status)
        self.softphones.notify(call)
        event = _STATUS_EVENT.get(status)
        callback = call.status_callback
        if callback is not None and event in callback.events:
            await self._send_status(call, callback, extra)

    async def initiate(self, call: SandboxCall) -> None:
        """Dialling starts: the ``initiated`` status-callback event, whose CallStatus says
        ``initiated``. The Call resource stays ``queued``: ``initiated`` is an event, not one
        of its statuses (queued, ringing, in-progress, canceled, completed, failed, busy,
        no-answer)."""
        self.log(call, "initiated")
        callback = call.status_callback
        if callback is not None and "initiated" in callback.events:
            await self._send_status(call, callback, {"CallStatus": "initiated"})

    def end_call(self, call: SandboxCall, status: str, **extra: str) -> None:
        """End a call now; callbacks and clean-up run in the background, like Twilio's."""
        if call.is_final:
            return
        call.status = status
        call.end_time = self.clock.now()
        self.log(call, "ended", status=status, **extra)
        current = asyncio.current_task()
        for task in [*call.tasks, call.script_task]:
            if task is not None and task is not current and not task.done():
                task.cancel()
        call.ended.set()
        self.runtime.spawn(self._finalise(call, extra), name=f"finalise {call.sid}")

    async def _finalise(self, call: SandboxCall, extra: dict[str, str]) -> None:
        self.softphones.notify(call)
        await conferences.leave_all(self, call)
        await recordings.finish_call_recordings(self, call)
        if call.bridged_to:
            other = self.calls.get(call.bridged_to)
            if other is not None:
                self.end_call(other, "completed")
        if call.status_callback is not None:
            final = {"CallDuration": str(call.duration_seconds), **extra}
            final.setdefault("SipResponseCode", _SIP_CODES.get(call.status, "500"))
            await self._send_status(call, call.status_callback, final)

    async def _send_status(
        self, call: SandboxCall, callback: StatusCallback, extra: Mapping[str, str]
    ) -> None:
        params = {
            **self.call_params(call),
            "SequenceNumber": str(callback.sequence),
            "Timestamp": format_datetime(self.clock.now(), usegmt=False),
            "CallbackSource": "call-progress-events",
            **extra,
        }
        callback.sequence += 1
        await self.webhook(call, callback.url, params)

    def call_params(self, call: SandboxCall) -> dict[str, str]:
        """The parameters Twilio sends with every webhook about a call."""
        params = {
            "AccountSid": call.account_sid,
            "ApiVersion": "2010-04-01",
            "CallSid": call.sid,
            "CallStatus": call.status,
            "Direction": call.direction,
            "From": call.from_,
            "To": call.to,
            "Caller": call.from_,
            "Called": call.to,
        }
        if call.parent_call_sid:
            params["ParentCallSid"] = call.parent_call_sid
        if call.answered_by and call.amd is not None and not call.amd.asynchronous:
            params["AnsweredBy"] = call.answered_by
        return params

    async def webhook(
        self, subject: SandboxCall | SandboxConference, url: str, params: Mapping[str, str]
    ) -> Delivery:
        """POST a signed webhook on behalf of ``subject``'s account and log it."""
        token = self.accounts[subject.account_sid].auth_token
        delivery = await self._sender.post(url, params, token)
        self.log(
            subject,
            "webhook",
            url=url,
            params=dict(delivery.params),
            status_code=delivery.status_code,
            error=delivery.error,
        )
        return delivery

    # --- control API (what a test or the demo does to the far end) ---------------------------

    async def place_inbound_call(
        self, from_: str, to: str, script: PartyScript | None = None
    ) -> SandboxCall:
        """A virtual party at ``from_`` calls the configured number ``to``."""
        number = self.numbers.get(to)
        if number is None:
            raise KeyError(f"{to} is not a number configured on the sandbox carrier")
        account = self.accounts[number.account_sid]
        call = self.new_call(account, from_=from_, to=to, direction="inbound", script=script)
        call.status = "ringing"
        call.url = number.voice_url
        self.set_status_callback(call, number.status_callback_url, [])
        call.tasks.append(
            self.runtime.spawn(interpreter.run_inbound(self, call), name=f"in {call.sid}")
        )
        return call

    def press_digits(self, call_sid: str, digits: str) -> None:
        call = self.find_call(call_sid)
        if call.is_final or call.start_time is None:
            raise ValueError("digits can only be pressed on an answered, live call")
        call.digits.extend(digits)
        call.digits_arrived.set()
        self.log(call, "digits", digits=digits)

    def hang_up_party(self, call_sid: str) -> None:
        """The far-end party hangs up."""
        call = self.find_call(call_sid)
        final = "completed" if call.start_time is not None else "canceled"
        self.end_call(call, final, HungUpBy="party")

    def fail_network(self, call_sid: str) -> None:
        """The line drops (simulated network failure)."""
        self.end_call(self.find_call(call_sid), "failed", SipResponseCode="503")

    # --- stepping time (tests) --------------------------------------------------------------

    async def settle(self) -> None:
        await self.runtime.settle()

    async def advance(self, seconds: float) -> None:
        await self.runtime.advance(seconds)

    async def close(self) -> None:
        await self.runtime.close()


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())
