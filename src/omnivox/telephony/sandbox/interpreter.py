"""The TwiML interpreter: runs a call's documents verb by verb on the sandbox clock.

SIMULATED. Speech and audio are not produced: ``<Say>`` and ``<Play>`` take time in
proportion to their text (or a fixed time per audio file) and are logged; ``<Record>`` records
the party "speaking" for a configured time; key presses come from the party's script or the
control API.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from urllib.parse import urljoin

from omnivox.telephony.instructions import (
    Dial,
    DialConference,
    Gather,
    Hangup,
    Instruction,
    Pause,
    Play,
    Record,
    Redirect,
    Reject,
    RejectReason,
    Say,
)
from omnivox.telephony.sandbox import conferences, dialing, legs, recordings
from omnivox.telephony.sandbox.model import SandboxCall
from omnivox.telephony.sandbox.prompts import log_prompt, prompt_seconds
from omnivox.telephony.sandbox.switch import Switch
from omnivox.telephony.sandbox.twiml_parser import TwimlError, parse_twiml


@dataclass(frozen=True, slots=True)
class Source:
    """Where the next TwiML document comes from, and what to POST when fetching it."""

    url: str | None = None
    twiml: str | None = None
    params: dict[str, str] = field(default_factory=dict)


async def run_outbound(carrier: Switch, call: SandboxCall) -> None:
    """A call created through the REST API: ring, then run its TwiML."""
    if await legs.ring(carrier, call):
        await run_call(carrier, call)


async def run_inbound(carrier: Switch, call: SandboxCall) -> None:
    """A virtual party's call to a configured number: fetch its TwiML and run it."""
    await run_call(carrier, call, inbound=True)


async def run_call(carrier: Switch, call: SandboxCall, *, inbound: bool = False) -> None:
    """Run the call's first document (its URL or inline TwiML) and what follows from it."""
    await run_from(carrier, call, Source(url=call.url, twiml=call.twiml), inbound=inbound)


def start_document(carrier: Switch, call: SandboxCall, source: Source) -> None:
    """Replace whatever the call is doing with a new document (REST redirect / new TwiML)."""
    current = asyncio.current_task()
    if call.script_task is not None and call.script_task is not current:
        call.script_task.cancel()
    task = carrier.runtime.spawn(run_from(carrier, call, source), name=f"twiml {call.sid}")
    call.tasks.append(task)


async def run_from(
    carrier: Switch, call: SandboxCall, source: Source | None, *, inbound: bool = False
) -> None:
    call.script_task = asyncio.current_task()
    while source is not None and not call.is_final:
        verbs = await _load(carrier, call, source)
        if verbs is None:
            carrier.end_call(call, "failed" if call.start_time is None else "completed")
            return
        if inbound and call.start_time is None:
            if verbs and isinstance(verbs[0], Reject):
                _reject(carrier, call, verbs[0])
                return
            await legs.answer(carrier, call)
        doc_url = source.url or (call.url or "")
        source = await _execute_all(carrier, call, verbs, doc_url)
    carrier.end_call(call, "completed")


async def _load(carrier: Switch, call: SandboxCall, source: Source) -> list[Instruction] | None:
    document = source.twiml
    if source.url is not None:
        params = {**carrier.call_params(call), **source.params}
        delivery = await carrier.webhook(call, source.url, params)
        if not delivery.ok:
            # Twilio: error 11200 (HTTP retrieval failure), "an application error occurred".
            carrier.log(call, "error", code="11200", url=source.url, status=delivery.status_code)
            return None
        call.url = source.url
        document = delivery.body
    try:
        return parse_twiml(document or "")
    except TwimlError as exc:
        carrier.log(call, "error", code="12100", detail=str(exc))
        return None


async def _execute_all(
    carrier: Switch, call: SandboxCall, verbs: list[Instruction], doc_url: str
) -> Source | None:
    for verb in verbs:
        if call.is_final:
            return None
        carrier.log(call, "verb", verb=type(verb).__name__)
        following = await _execute(carrier, call, verb, doc_url)
        if following is not None:
            return following
        if isinstance(verb, Hangup | Reject):
            return None
    return None


async def _execute(
    carrier: Switch, call: SandboxCall, verb: Instruction, doc_url: str
) -> Source | None:
    if isinstance(verb, Say | Play | Pause):
        await carrier.runtime.sleep(prompt_seconds(carrier, verb))
        log_prompt(carrier, call, verb)
        return None
    if isinstance(verb, Gather):
        return await _gather(carrier, call, verb, doc_url)
    if isinstance(verb, Dial):
        return await _dial(carrier, call, verb, doc_url)
    if isinstance(verb, Record):
        return await _record(carrier, call, verb, doc_url)
    if isinstance(verb, Redirect):
        return Source(url=urljoin(doc_url, verb.url))
    if isinstance(verb, Reject):
        _reject(carrier, call, verb)
        return None
    carrier.end_call(call, "completed")  # Hangup
    return None


def _reject(carrier: Switch, call: SandboxCall, verb: Reject) -> None:
    if call.start_time is None:
        carrier.end_call(call, "busy" if verb.reason is RejectReason.BUSY else "no-answer")
    else:
        carrier.end_call(call, "completed")


async def _gather(carrier: Switch, call: SandboxCall, verb: Gather, doc_url: str) -> Source | None:
    call.digits.clear()
    call.digits_arrived.clear()
    for prompt in verb.prompt:  # a key press interrupts the prompt (barge-in)
        if call.digits:
            break
        pressed = await carrier.runtime.wait(call.digits_arrived, prompt_seconds(carrier, prompt))
        log_prompt(carrier, call, prompt, **({"interrupted": True} if pressed else {}))
    digits, finished_on = await _collect(carrier, call, verb)
    carrier.log(call, "gather", digits=digits, finished_on_key=finished_on)
    if not digits and not verb.action_on_empty_result:
        return None
    params = {"Digits": digits}
    if finished_on:
        params["FinishedOnKey"] = finished_on
    return Source(
        url=urljoin(doc_url, verb.action_url) if verb.action_url else doc_url, params=params
    )


async def _collect(carrier: Switch, call: SandboxCall, verb: Gather) -> tuple[str, str]:
    collected = ""
    while True:
        while call.digits:
            key = call.digits.pop(0)
            if key in verb.finish_on_key:
                return collected, key
            collected += key
            if verb.num_digits is not None and len(collected) >= verb.num_digits:
                return collected, ""
        call.digits_arrived.clear()
        if not await carrier.runtime.wait(call.digits_arrived, verb.timeout_seconds):
            return collected, ""


async def _dial(carrier: Switch, call: SandboxCall, verb: Dial, doc_url: str) -> Source | None:
    target = verb.targets[0]
    if isinstance(target, DialConference):
        await conferences.join_from_twiml(carrier, call, target)
        params = {"DialCallStatus": "completed"}
    else:
        params = await dialing.dial_legs(carrier, call, verb)
    if verb.action_url is None or call.is_final:
        return None
    return Source(url=urljoin(doc_url, verb.action_url), params=params)


async def _record(carrier: Switch, call: SandboxCall, verb: Record, doc_url: str) -> Source | None:
    account = carrier.account_of(call)
    events = ["completed"]
    rec = recordings.start(
        carrier,
        account,
        call_sid=call.sid,
        source="RecordVerb",
        callback_url=verb.recording_status_callback_url,
        events=events,
    )
    call.digits.clear()
    call.digits_arrived.clear()
    speak = min(carrier.timing.record_seconds, float(verb.max_length_seconds))
    pressed = await carrier.runtime.wait(call.digits_arrived, speak)
    key = call.digits.pop(0) if pressed and call.digits else ""
    await recordings.finish(carrier, rec)
    params = {
        "RecordingSid": rec.sid,
        "RecordingUrl": recordings.media_url(carrier, rec),
        "RecordingDuration": str(int(rec.recorded_seconds)),
    }
    if key:
        params["Digits"] = key
    return Source(
        url=urljoin(doc_url, verb.action_url) if verb.action_url else doc_url, params=params
    )
