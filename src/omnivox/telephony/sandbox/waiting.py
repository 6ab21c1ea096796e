"""What a conference participant hears while waiting for the conference to start.

SIMULATED, after Twilio's ``<Conference waitUrl>``: a URL is POSTed the call's parameters
and answers TwiML that may hold only ``<Say>``, ``<Play>``, ``<Pause>`` and ``<Redirect>``
(anything else is Twilio's error 13238 and the waiting goes quiet); when the document ends
it is requested again. ``waitUrl=""`` is silence; no ``waitUrl`` is Twilio's own music,
which the sandbox only logs. Waiting stops the moment the conference starts or the
participant leaves.
"""

from __future__ import annotations

from urllib.parse import urljoin

from omnivox.telephony.instructions import Pause, Play, Redirect, Say
from omnivox.telephony.sandbox.model import SandboxCall, SandboxParticipant
from omnivox.telephony.sandbox.prompts import log_prompt, prompt_seconds
from omnivox.telephony.sandbox.switch import Switch
from omnivox.telephony.sandbox.twiml_parser import TwimlError, parse_twiml

_ALLOWED = (Say, Play, Pause, Redirect)
MIN_DOCUMENT_SECONDS = 1.0  # a document with nothing to hear is not re-requested in a spin


async def wait_for_start(
    carrier: Switch, call: SandboxCall, participant: SandboxParticipant
) -> None:
    url = participant.wait_url
    if url is None:
        carrier.log(call, "wait-music", source="carrier default")
        return
    if url == "":
        return  # silence
    over = participant.waiting_over
    while not over.is_set() and not call.is_final:
        delivery = await carrier.webhook(call, url, carrier.call_params(call))
        if over.is_set():
            return
        if not delivery.ok:
            carrier.log(call, "error", code="11200", url=url, status=delivery.status_code)
            return
        if not delivery.body.lstrip().startswith("<"):  # an audio file: loop it
            carrier.log(call, "play", url=url, while_waiting=True)
            await carrier.runtime.wait(over, carrier.timing.play_seconds)
            continue
        try:
            verbs = parse_twiml(delivery.body)
        except TwimlError as exc:
            carrier.log(call, "error", code="12100", detail=str(exc))
            return
        refused = [type(v).__name__ for v in verbs if not isinstance(v, _ALLOWED)]
        if refused:
            carrier.log(call, "error", code="13238", verbs=refused)
            return
        heard, following = 0.0, url
        for verb in verbs:
            if isinstance(verb, Redirect):
                following = urljoin(url, verb.url)
                break
            assert isinstance(verb, Say | Play | Pause)
            seconds = prompt_seconds(carrier, verb)
            if await carrier.runtime.wait(over, seconds):
                return
            heard += seconds
            log_prompt(carrier, call, verb, while_waiting=True)
        if heard < MIN_DOCUMENT_SECONDS and await carrier.runtime.wait(
            over, MIN_DOCUMENT_SECONDS - heard
        ):
            return
        url = following
