"""Public webhook URLs. The provider signs the full URL it calls, so every URL is built
from the one configured public base and verified against the same base on the way in."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from omnivox.telephony.ports import WebhookKind

HOOK_PREFIX = "/hooks/telephony"


@dataclass(frozen=True)
class HookUrls:
    public_base: str  # e.g. https://cc.example.com (no trailing slash)
    provider: str = "twilio"

    def url(self, kind: WebhookKind, **query: str) -> str:
        base = f"{self.public_base}{HOOK_PREFIX}/{self.provider}/{kind.value}"
        return f"{base}?{urlencode(query)}" if query else base

    def voice(self, call_id: str) -> str:
        return self.url(WebhookKind.VOICE, call=call_id)

    def status(self, call_id: str) -> str:
        return self.url(WebhookKind.STATUS, call=call_id)

    def leg_status(self, leg_id: str) -> str:
        return self.url(WebhookKind.STATUS, leg=leg_id)

    def amd(self, call_id: str) -> str:
        return self.url(WebhookKind.AMD, call=call_id)

    def conference(self, call_id: str) -> str:
        return self.url(WebhookKind.CONFERENCE, call=call_id)

    def recording(self, call_id: str) -> str:
        return self.url(WebhookKind.RECORDING, call=call_id)

    # The agent's line (telephony/lines.py): each dial is a generation of the line row.
    def line_voice(self, line_id: str, generation: int) -> str:
        return self.url(WebhookKind.VOICE, line=line_id, gen=str(generation))

    def line_status(self, line_id: str, generation: int) -> str:
        return self.url(WebhookKind.STATUS, line=line_id, gen=str(generation))

    def line_back(self, line_id: str, generation: int, call_id: str) -> str:
        """The Dial action of a line in a call's conference: the call is over for it."""
        return self.url(WebhookKind.DIAL, line=line_id, gen=str(generation), call=call_id)

    def verification_url(self, path: str, query: str) -> str:
        """The URL the provider signed, rebuilt from our public base (not the proxy's view)."""
        return f"{self.public_base}{path}" + (f"?{query}" if query else "")
