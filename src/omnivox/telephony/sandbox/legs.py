"""Call legs: how a sandbox call progresses and what its virtual party does.

SIMULATED. Ringing, answering, busy, no-answer, failures, answering machines and their
detection, key presses and hang-ups all follow the party's :class:`PartyScript` on the
sandbox clock.

Answering-machine detection, as Twilio documents it: ``human`` is reported after
``amd_seconds`` in both modes; a machine with ``Enable`` after ``amd_seconds`` as
``machine_start``; a machine with ``DetectMessageEnd`` when its greeting ends
(``greeting_seconds`` after the answer) as ``machine_end_beep|silence|other``. Detection
that would take longer than ``MachineDetectionTimeout`` (default 30 s) gives up at the
timeout with ``unknown``. A machine's log records ``greeting-ended`` (with how it ended) at
the end of its greeting whatever was asked, so a test can see whether a message was
played over the greeting or after the beep. There is no audio: how Twilio's model actually
classifies a greeting is not simulated, only when and what it reports.
"""

from __future__ import annotations

from omnivox.telephony.sandbox.model import AmdRequest, SandboxCall
from omnivox.telephony.sandbox.parties import PartyBehaviour, PartyScript
from omnivox.telephony.sandbox.switch import Switch


async def ring(carrier: Switch, call: SandboxCall) -> bool:
    """Take an outbound leg from queued to answered; False if it ended unanswered."""
    runtime = carrier.runtime
    await runtime.sleep(carrier.timing.dial_setup_seconds)
    await carrier.initiate(call)
    if call.softphone_identity is not None:
        return await carrier.softphones.ring(call)
    script = call.script
    if script.behaviour is PartyBehaviour.FAIL:
        await runtime.sleep(0.5)
        carrier.end_call(call, "failed", ErrorCode="13224", SipResponseCode="404")
        return False
    await carrier.set_status(call, "ringing")
    if script.behaviour is PartyBehaviour.BUSY:
        await runtime.sleep(min(script.ring_seconds, 1.0))
        carrier.end_call(call, "busy")
        return False
    if script.behaviour is PartyBehaviour.NO_ANSWER or script.ring_seconds >= call.timeout_seconds:
        await runtime.sleep(call.timeout_seconds)
        carrier.end_call(call, "no-answer")
        return False
    await runtime.sleep(script.ring_seconds)
    await answer(carrier, call)
    return True


async def answer(carrier: Switch, call: SandboxCall) -> None:
    """The party picked up: start the clock, run detection, start the party's script."""
    call.start_time = carrier.clock.now()
    amd = call.amd
    if amd is not None and not amd.asynchronous:
        # Synchronous AMD: Twilio waits for the verdict before announcing the answer.
        seconds, verdict = detection(call.script, amd)
        await carrier.runtime.sleep(seconds)
        call.answered_by = verdict
    await carrier.set_status(call, "in-progress")
    call.answered.set()
    call.tasks.append(carrier.runtime.spawn(play_party(carrier, call), name=f"party {call.sid}"))
    if call.script.is_machine:
        call.tasks.append(carrier.runtime.spawn(_greeting(carrier, call), name=f"greet {call.sid}"))
    if amd is not None and amd.asynchronous and amd.callback_url:
        call.tasks.append(carrier.runtime.spawn(_async_amd(carrier, call), name=f"amd {call.sid}"))


def detection(script: PartyScript, amd: AmdRequest) -> tuple[float, str]:
    """When (seconds after the answer) and what Twilio's AMD reports for this party."""
    if not script.is_machine:
        needed, verdict = script.amd_seconds, "human"
    elif amd.mode == "DetectMessageEnd":  # the verdict waits for the end of the greeting
        needed, verdict = script.greeting_seconds, f"machine_end_{script.greeting_end.value}"
    else:
        needed, verdict = script.amd_seconds, "machine_start"
    if needed > amd.timeout_seconds:  # MachineDetectionTimeout reached without a decision
        return float(amd.timeout_seconds), "unknown"
    return needed, verdict


async def _greeting(carrier: Switch, call: SandboxCall) -> None:
    """A machine plays its greeting from the answer; afterwards it records the caller."""
    await carrier.runtime.sleep(call.script.greeting_seconds)
    if not call.is_final:
        carrier.log(call, "greeting-ended", end=call.script.greeting_end.value)


async def _async_amd(carrier: Switch, call: SandboxCall) -> None:
    assert call.amd is not None and call.amd.callback_url is not None
    seconds, verdict = detection(call.script, call.amd)
    await carrier.runtime.sleep(seconds)
    call.answered_by = verdict
    carrier.log(call, "amd", answered_by=verdict)
    params = {
        "AccountSid": call.account_sid,
        "CallSid": call.sid,
        "AnsweredBy": call.answered_by,
        "MachineDetectionDuration": str(int(seconds * 1000)),
    }
    # Sent on its own: the request is not withdrawn if the call ends while Omnivox answers
    # it (Omnivox's answer to a machine may well be to hang up).
    carrier.runtime.spawn(
        carrier.webhook(call, call.amd.callback_url, params), name=f"amd callback {call.sid}"
    )


async def play_party(carrier: Switch, call: SandboxCall) -> None:
    """The party's scripted actions after the answer, in time order."""
    script = call.script
    actions: list[tuple[float, str, str]] = [(at, "digits", d) for at, d in script.digits]
    if script.hang_up_after is not None:
        actions.append((script.hang_up_after, "hangup", ""))
    if script.network_failure_after is not None:
        actions.append((script.network_failure_after, "fail", ""))
    elapsed = 0.0
    for at, action, digits in sorted(actions):
        await carrier.runtime.sleep(at - elapsed)
        elapsed = at
        if call.is_final:
            return
        if action == "digits":
            carrier.press_digits(call.sid, digits)
        elif action == "hangup":
            carrier.hang_up_party(call.sid)
        else:
            carrier.fail_network(call.sid)
