"""The carrier as the sandbox's parts see it: its state and the few things they ask of it.

Conferences, legs, dialling, the TwiML interpreter, recordings and softphones take a
:class:`Switch` rather than importing :class:`~.carrier.SandboxCarrier`, which builds and
drives them; so the sandbox's modules form layers with the carrier on top:

    parties, runtime, signing, twiml_parser  <  model  <  switch
      <  prompts, recordings, legs  <  softphones, waiting, dialing  <  conferences
      <  interpreter  <  resources, carrier  <  rest, control, softphone_ws
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from omnivox.core.clock import Clock
from omnivox.telephony.sandbox.model import (
    SandboxAccount,
    SandboxCall,
    SandboxConference,
    SandboxRecording,
    SandboxTiming,
)
from omnivox.telephony.sandbox.parties import PartyScript
from omnivox.telephony.sandbox.runtime import Runtime
from omnivox.telephony.sandbox.signing import Delivery


class Ringer(Protocol):
    """Offers calls to ``client:`` identities (the sandbox softphones)."""

    async def ring(self, call: SandboxCall) -> bool: ...


class Switch(Protocol):
    @property
    def clock(self) -> Clock: ...

    @property
    def runtime(self) -> Runtime: ...

    @property
    def timing(self) -> SandboxTiming: ...

    @property
    def api_base_url(self) -> str: ...

    @property
    def calls(self) -> dict[str, SandboxCall]: ...

    @property
    def conferences(self) -> dict[str, SandboxConference]: ...

    @property
    def recordings(self) -> dict[str, SandboxRecording]: ...

    @property
    def softphones(self) -> Ringer: ...

    def new_call(
        self,
        account: SandboxAccount,
        *,
        from_: str,
        to: str,
        direction: str,
        parent_call_sid: str | None = None,
        script: PartyScript | None = None,
    ) -> SandboxCall: ...

    def account_of(
        self, call: SandboxCall | SandboxConference | SandboxRecording
    ) -> SandboxAccount: ...

    def log(self, call: SandboxCall | SandboxConference, kind: str, **detail: Any) -> None: ...

    def set_status_callback(
        self, call: SandboxCall, url: str | None, events: list[str]
    ) -> None: ...

    async def initiate(self, call: SandboxCall) -> None: ...

    async def set_status(self, call: SandboxCall, status: str, **extra: str) -> None: ...

    def end_call(self, call: SandboxCall, status: str, **extra: str) -> None: ...

    def call_params(self, call: SandboxCall) -> dict[str, str]: ...

    async def webhook(
        self, subject: SandboxCall | SandboxConference, url: str, params: Mapping[str, str]
    ) -> Delivery: ...

    def press_digits(self, call_sid: str, digits: str) -> None: ...

    def hang_up_party(self, call_sid: str) -> None: ...

    def fail_network(self, call_sid: str) -> None: ...
