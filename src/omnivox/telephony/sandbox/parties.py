"""Virtual parties: the simulated people and machines on the far end of sandbox calls.

SIMULATED. Nobody real is called. Each number the sandbox dials behaves as its script says
(answer after N seconds, busy, never answer, answering machine, press digits, hang up,
drop the line); numbers without a script answer as a person after two seconds and stay on
the line until Omnivox ends the call.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class GreetingEnd(StrEnum):
    """How an answering machine's greeting ends (Twilio's ``machine_end_*`` verdicts)."""

    BEEP = "beep"
    SILENCE = "silence"
    OTHER = "other"


class PartyBehaviour(StrEnum):
    ANSWER = "answer"  # a person picks up
    MACHINE = "machine"  # an answering machine picks up
    BUSY = "busy"
    NO_ANSWER = "no_answer"  # rings until the caller's timeout
    FAIL = "fail"  # the number cannot be reached (call fails before ringing completes)


@dataclass(frozen=True, slots=True, kw_only=True)
class PartyScript:
    """How a virtual party behaves. Times are seconds of (sandbox clock) time.

    ``hang_up_after``, ``network_failure_after`` and ``digits`` count from the answer.
    A machine's greeting lasts ``greeting_seconds`` from the answer and ends as
    ``greeting_end`` says; detection of a person or (``Enable``) a machine takes
    ``amd_seconds``.
    """

    behaviour: PartyBehaviour = PartyBehaviour.ANSWER
    ring_seconds: float = 2.0
    hang_up_after: float | None = None
    network_failure_after: float | None = None
    digits: tuple[tuple[float, str], ...] = ()
    amd_seconds: float = 2.5  # how long detection takes to decide
    greeting_seconds: float = 8.0  # machine greeting before the beep (DetectMessageEnd)
    greeting_end: GreetingEnd = GreetingEnd.BEEP

    @property
    def is_machine(self) -> bool:
        return self.behaviour is PartyBehaviour.MACHINE


DEFAULT_SCRIPT = PartyScript()
