"""How long a spoken or played prompt lasts, and how the sandbox logs it.

SIMULATED. No audio is produced: ``<Say>`` takes time in proportion to its words,
``<Play>`` a fixed time per file (or per DTMF digit), ``<Pause>`` its length.
"""

from __future__ import annotations

from typing import Any

from omnivox.telephony.instructions import Pause, Play, Say
from omnivox.telephony.sandbox.model import SandboxCall
from omnivox.telephony.sandbox.switch import Switch


def prompt_seconds(carrier: Switch, verb: Say | Play | Pause) -> float:
    timing = carrier.timing
    if isinstance(verb, Say):
        return max(1.0, len(verb.text.split()) * timing.seconds_per_word) * max(verb.loop, 1)
    if isinstance(verb, Play):
        if verb.digits is not None:
            return 0.1 * len(verb.digits)
        return timing.play_seconds * max(verb.loop, 1)
    return float(verb.seconds)


def log_prompt(carrier: Switch, call: SandboxCall, verb: Say | Play | Pause, **extra: Any) -> None:
    if isinstance(verb, Say):
        carrier.log(call, "say", text=verb.text, **extra)
    elif isinstance(verb, Play):
        carrier.log(call, "play", url=verb.url, digits=verb.digits, **extra)
