"""Render provider-neutral :mod:`omnivox.telephony.instructions` as TwiML with the SDK."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from twilio.twiml.voice_response import VoiceResponse

from omnivox.telephony.instructions import (
    Dial,
    DialClient,
    DialConference,
    DialNumber,
    Gather,
    Hangup,
    Instruction,
    Pause,
    Play,
    Record,
    Redirect,
    Reject,
    Say,
)

TWIML_MEDIA_TYPE = "application/xml"


def render_twiml(instructions: Sequence[Instruction]) -> str:
    response = VoiceResponse()
    for instruction in instructions:
        _add(response, instruction)
    return str(response.to_xml())


def _add(parent: Any, instruction: Instruction) -> None:
    if isinstance(instruction, Say | Play | Pause):
        _add_prompt(parent, instruction)
    elif isinstance(instruction, Gather):
        gather = parent.gather(
            action=instruction.action_url,
            method="POST",
            input="dtmf",
            num_digits=instruction.num_digits,
            timeout=instruction.timeout_seconds,
            finish_on_key=instruction.finish_on_key,
            action_on_empty_result=instruction.action_on_empty_result or None,
        )
        for prompt in instruction.prompt:
            _add_prompt(gather, prompt)
    elif isinstance(instruction, Dial):
        _add_dial(parent, instruction)
    elif isinstance(instruction, Record):
        parent.record(
            action=instruction.action_url,
            method="POST" if instruction.action_url else None,
            max_length=instruction.max_length_seconds,
            timeout=instruction.timeout_seconds,
            play_beep=instruction.play_beep,
            finish_on_key=instruction.finish_on_key,
            recording_status_callback=instruction.recording_status_callback_url,
        )
    elif isinstance(instruction, Redirect):
        parent.redirect(instruction.url, method="POST")
    elif isinstance(instruction, Hangup):
        parent.hangup()
    elif isinstance(instruction, Reject):
        parent.reject(reason=instruction.reason.value)


def _add_prompt(parent: Any, prompt: Say | Play | Pause) -> None:
    if isinstance(prompt, Say):
        parent.say(prompt.text, voice=prompt.voice, language=prompt.language, loop=prompt.loop)
    elif isinstance(prompt, Play):
        parent.play(prompt.url, digits=prompt.digits, loop=prompt.loop)
    else:
        parent.pause(length=prompt.seconds)


def _add_dial(parent: Any, dial: Dial) -> None:
    node = parent.dial(
        caller_id=dial.caller_id,
        timeout=dial.timeout_seconds,
        action=dial.action_url,
        method="POST" if dial.action_url else None,
        time_limit=dial.time_limit_seconds,
        answer_on_bridge=dial.answer_on_bridge or None,
    )
    for target in dial.targets:
        if isinstance(target, DialNumber):
            node.number(
                target.number,
                status_callback=target.status_callback_url,
                status_callback_event=" ".join(target.status_events) or None,
                url=target.url,
            )
        elif isinstance(target, DialClient):
            node.client(
                target.identity,
                status_callback=target.status_callback_url,
                status_callback_event=" ".join(target.status_events) or None,
                url=target.url,
            )
        else:
            _add_conference(node, target)


def _add_conference(node: Any, conf: DialConference) -> None:
    node.conference(
        conf.name,
        start_conference_on_enter=conf.start_conference_on_enter,
        end_conference_on_exit=conf.end_conference_on_exit,
        muted=conf.muted,
        beep=conf.beep.value,
        wait_url=conf.wait_url,
        status_callback=conf.status_callback_url,
        status_callback_event=" ".join(conf.status_callback_events) or None,
        record="record-from-start" if conf.record else None,
        recording_status_callback=conf.recording_status_callback_url,
        participant_label=conf.participant_label,
        coach=conf.coach,
    )
