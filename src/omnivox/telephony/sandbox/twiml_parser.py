"""Parse the TwiML Omnivox emits into :mod:`omnivox.telephony.instructions` values.

Only the verbs Omnivox uses are understood (Say, Play, Pause, Gather, Dial with Number /
Client / Conference, Record, Redirect, Hangup, Reject); anything else is refused with a
clear error, as an emulator should rather than silently skip it.
"""

from __future__ import annotations

# The TwiML comes from Omnivox's own webhook endpoints; the standard library parser does not
# resolve external entities, and expat (>= 2.4.1, bundled with Python 3.11) bounds entity
# expansion, so it is safe for this input.
import xml.etree.ElementTree as ET
from collections.abc import Callable

from omnivox.telephony.instructions import (
    ConferenceBeep,
    Dial,
    DialClient,
    DialConference,
    DialNumber,
    DialTarget,
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


class TwimlError(ValueError):
    """The document is not TwiML the sandbox understands (Twilio's error 12100/12200)."""


def parse_twiml(document: str) -> list[Instruction]:
    try:
        root = ET.fromstring(document)  # noqa: S314 - see the module comment
    except ET.ParseError as exc:
        raise TwimlError(f"not well-formed XML: {exc}") from exc
    if root.tag != "Response":
        raise TwimlError(f"root element must be <Response>, not <{root.tag}>")
    return [_verb(el) for el in root]


def _verb(el: ET.Element) -> Instruction:
    parser = _VERBS.get(el.tag)
    if parser is None:
        raise TwimlError(f"<{el.tag}> is not emulated by the sandbox carrier")
    return parser(el)


def _say(el: ET.Element) -> Say:
    return Say(
        text=(el.text or "").strip(),
        voice=el.get("voice"),
        language=el.get("language"),
        loop=_int(el, "loop", 1),
    )


def _play(el: ET.Element) -> Play:
    digits = el.get("digits")
    url = (el.text or "").strip() or None
    return Play(url=None if digits else url, digits=digits, loop=_int(el, "loop", 1))


def _pause(el: ET.Element) -> Pause:
    return Pause(seconds=_int(el, "length", 1))


def _gather(el: ET.Element) -> Gather:
    prompt: list[Say | Play | Pause] = []
    for child in el:
        verb = _verb(child)
        if not isinstance(verb, Say | Play | Pause):
            raise TwimlError(f"<{child.tag}> cannot be nested in <Gather>")
        prompt.append(verb)
    return Gather(
        action_url=el.get("action", ""),
        num_digits=_int(el, "numDigits", 0) or None,
        timeout_seconds=_int(el, "timeout", 5),
        finish_on_key=el.get("finishOnKey", "#"),
        prompt=tuple(prompt),
        action_on_empty_result=_bool(el, "actionOnEmptyResult", False),
    )


def _record(el: ET.Element) -> Record:
    return Record(
        action_url=el.get("action"),
        max_length_seconds=_int(el, "maxLength", 3600),
        timeout_seconds=_int(el, "timeout", 5),
        play_beep=_bool(el, "playBeep", True),
        finish_on_key=el.get("finishOnKey", "1234567890*#"),
        recording_status_callback_url=el.get("recordingStatusCallback"),
    )


def _dial(el: ET.Element) -> Dial:
    targets: list[DialTarget] = [_dial_target(child) for child in el]
    if not targets and (el.text or "").strip():
        targets.append(DialNumber(number=(el.text or "").strip()))
    return Dial(
        targets=tuple(targets),
        caller_id=el.get("callerId"),
        timeout_seconds=_int(el, "timeout", 30),
        action_url=el.get("action"),
        time_limit_seconds=_int(el, "timeLimit", 0) or None,
        answer_on_bridge=_bool(el, "answerOnBridge", False),
    )


def _dial_target(el: ET.Element) -> DialTarget:
    events = tuple((el.get("statusCallbackEvent") or "").split())
    if el.tag == "Number":
        return DialNumber(
            number=(el.text or "").strip(),
            status_callback_url=el.get("statusCallback"),
            status_events=events,
            url=el.get("url"),
        )
    if el.tag == "Client":
        identity_el = el.find("Identity")
        text = identity_el.text if identity_el is not None else el.text
        return DialClient(
            identity=(text or "").strip(),
            status_callback_url=el.get("statusCallback"),
            status_events=events,
            url=el.get("url"),
        )
    if el.tag == "Conference":
        return DialConference(
            name=(el.text or "").strip(),
            start_conference_on_enter=_bool(el, "startConferenceOnEnter", True),
            end_conference_on_exit=_bool(el, "endConferenceOnExit", False),
            muted=_bool(el, "muted", False),
            beep=ConferenceBeep(el.get("beep", "true")),
            wait_url=el.get("waitUrl"),
            status_callback_url=el.get("statusCallback"),
            status_callback_events=events,
            record=el.get("record", "do-not-record") != "do-not-record",
            recording_status_callback_url=el.get("recordingStatusCallback"),
            participant_label=el.get("participantLabel"),
            coach=el.get("coach"),
        )
    raise TwimlError(f"<{el.tag}> inside <Dial> is not emulated by the sandbox carrier")


def _redirect(el: ET.Element) -> Redirect:
    return Redirect(url=(el.text or "").strip())


def _hangup(_el: ET.Element) -> Hangup:
    return Hangup()


def _reject(el: ET.Element) -> Reject:
    return Reject(reason=RejectReason(el.get("reason", "rejected")))


_VERBS: dict[str, Callable[[ET.Element], Instruction]] = {
    "Say": _say,
    "Play": _play,
    "Pause": _pause,
    "Gather": _gather,
    "Record": _record,
    "Dial": _dial,
    "Redirect": _redirect,
    "Hangup": _hangup,
    "Reject": _reject,
}


def _int(el: ET.Element, name: str, default: int) -> int:
    value = el.get(name)
    try:
        return int(value) if value is not None else default
    except ValueError as exc:
        raise TwimlError(f"{el.tag}@{name} must be an integer, not {value!r}") from exc


def _bool(el: ET.Element, name: str, default: bool) -> bool:
    value = el.get(name)
    return default if value is None else value.lower() == "true"
