"""TwiML's words for :mod:`omnivox.telephony.instructions`, defined once.

Each instruction is one TwiML element: a tag, perhaps a field carried as the element's text,
and fields carried as attributes. The Twilio provider writes instructions with these names
(:mod:`.providers.twilio.twiml`) and the sandbox carrier reads them back with the same ones
(:mod:`.sandbox.twiml_parser`), so the two cannot drift apart.

How a field's value is written follows its type: ``true``/``false`` for a flag, digits for a
number, words separated by spaces for a tuple, an enum's value; ``None`` and an empty tuple
are left out. The two exceptions are declared: a flag written only when set
(``when_true``), and an attribute whose absence Twilio reads differently from the
instruction's default (``absent``). A number that may be ``None`` reads ``0`` as ``None``.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from omnivox.telephony.instructions import (
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
    Say,
)


class TwimlError(ValueError):
    """A document that is not TwiML Omnivox's instructions can be read from."""


@dataclass(frozen=True, slots=True)
class Attribute:
    field: str  # the instruction's field
    name: str  # the TwiML attribute
    when_true: str | None = None  # a flag written only when set, as this value
    absent: str | None = None  # what Twilio assumes when the attribute is missing


@dataclass(frozen=True, slots=True)
class Element:
    tag: str
    instruction: type[Instruction | DialTarget]
    attributes: tuple[Attribute, ...] = ()
    text: str | None = None  # the field carried as the element's text
    children: str | None = None  # the field holding nested elements
    fixed: tuple[tuple[str, str], ...] = ()  # written as they are, never read back
    posted_url: str | None = None  # a URL field: when set, Twilio is told to POST to it


def _a(field: str, name: str, **kw: str) -> Attribute:
    return Attribute(field, name, **kw)


_CALLBACK = _a("status_callback_url", "statusCallback")
_CALLBACK_EVENTS = _a("status_events", "statusCallbackEvent")

VERBS: dict[str, Element] = {
    e.tag: e
    for e in (
        Element(
            "Say",
            Say,
            (_a("voice", "voice"), _a("language", "language"), _a("loop", "loop")),
            text="text",
        ),
        Element("Play", Play, (_a("digits", "digits"), _a("loop", "loop")), text="url"),
        Element("Pause", Pause, (_a("seconds", "length"),)),
        Element(
            "Gather",
            Gather,
            (
                _a("action_url", "action", absent=""),
                _a("num_digits", "numDigits"),
                _a("timeout_seconds", "timeout"),
                _a("finish_on_key", "finishOnKey"),
                _a("action_on_empty_result", "actionOnEmptyResult", when_true="true"),
            ),
            children="prompt",
            fixed=(("method", "POST"), ("input", "dtmf")),
        ),
        Element(
            "Record",
            Record,
            (
                _a("action_url", "action"),
                _a("max_length_seconds", "maxLength"),
                _a("timeout_seconds", "timeout"),
                _a("play_beep", "playBeep"),
                _a("finish_on_key", "finishOnKey"),
                _a("recording_status_callback_url", "recordingStatusCallback"),
            ),
            posted_url="action_url",
        ),
        Element(
            "Dial",
            Dial,
            (
                _a("caller_id", "callerId"),
                _a("timeout_seconds", "timeout"),
                _a("action_url", "action"),
                _a("time_limit_seconds", "timeLimit"),
                _a("answer_on_bridge", "answerOnBridge", when_true="true"),
            ),
            children="targets",
            posted_url="action_url",
        ),
        Element("Redirect", Redirect, text="url", fixed=(("method", "POST"),)),
        Element("Hangup", Hangup),
        Element("Reject", Reject, (_a("reason", "reason"),)),
    )
}
"""The verbs Omnivox uses (a ``<Response>``'s children), by tag."""

DIAL_NOUNS: dict[str, Element] = {
    e.tag: e
    for e in (
        Element("Number", DialNumber, (_CALLBACK, _CALLBACK_EVENTS, _a("url", "url")), "number"),
        Element("Client", DialClient, (_CALLBACK, _CALLBACK_EVENTS, _a("url", "url")), "identity"),
        Element(
            "Conference",
            DialConference,
            (
                _a("start_conference_on_enter", "startConferenceOnEnter"),
                _a("end_conference_on_exit", "endConferenceOnExit"),
                _a("muted", "muted"),
                _a("beep", "beep", absent="true"),
                _a("wait_url", "waitUrl"),
                _CALLBACK,
                _a("status_callback_events", "statusCallbackEvent"),
                _a("record", "record", when_true="record-from-start"),
                _a("recording_status_callback_url", "recordingStatusCallback"),
                _a("participant_label", "participantLabel"),
                _a("coach", "coach"),
            ),
            text="name",
        ),
    )
}
"""The nouns of ``<Dial>`` Omnivox uses, by tag."""

PROMPTS = ("Say", "Play", "Pause")
"""The verbs ``<Gather>`` may nest."""
CLIENT_IDENTITY = "Identity"
"""``<Client>``'s optional child naming the identity (instead of the element's text)."""

ELEMENTS: dict[type[Any], Element] = {
    e.instruction: e for e in (*VERBS.values(), *DIAL_NOUNS.values())
}


def element_of(instruction: Instruction | DialTarget) -> Element:
    return ELEMENTS[type(instruction)]


def write_attributes(element: Element, instruction: Instruction | DialTarget) -> dict[str, str]:
    """The attributes, by TwiML name, that say ``instruction``'s fields."""
    written = dict(element.fixed)
    for attr in element.attributes:
        value = _write(attr, getattr(instruction, attr.field))
        if value is not None:
            written[attr.name] = value
    if element.posted_url and getattr(instruction, element.posted_url):
        written["method"] = "POST"
    return written


def read_attributes(element: Element, get: Callable[[str], str | None]) -> dict[str, Any]:
    """The instruction's fields (keyword arguments) from the attributes ``get`` returns;
    missing attributes keep the instruction's defaults."""
    fields: dict[str, Any] = {}
    for attr in element.attributes:
        raw = get(attr.name)
        if raw is None:
            raw = attr.absent
        if raw is not None:
            fields[attr.field] = _read(element, attr, raw)
    return fields


def read_text(element: Element, text: str | None) -> dict[str, Any]:
    """The field the element's text carries (stripped; empty is ``None`` where allowed)."""
    if element.text is None:
        return {}
    value = (text or "").strip()
    optional = _field_type(element.instruction, element.text)[1]
    return {element.text: None if optional and not value else value}


def _write(attr: Attribute, value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        if attr.when_true is not None:
            return attr.when_true if value else None
        return "true" if value else "false"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, tuple):
        return " ".join(value) or None
    return str(value)


def _read(element: Element, attr: Attribute, raw: str) -> Any:
    kind, optional = _field_type(element.instruction, attr.field)
    if kind is bool:
        return raw.lower() == (attr.when_true or "true").lower()
    if kind is int:
        try:
            number = int(raw)
        except ValueError as exc:
            raise TwimlError(f"{element.tag}@{attr.name} must be an integer, not {raw!r}") from exc
        return None if optional and number == 0 else number
    if kind is tuple:
        return tuple(raw.split())
    if isinstance(kind, type) and issubclass(kind, Enum):
        return kind(raw)
    return raw


def _field_type(instruction: type[Any], field: str) -> tuple[Any, bool]:
    """A field's type without ``None`` (``tuple`` for any tuple), and whether it may be None."""
    known = _FIELD_TYPES.get((instruction, field))
    if known is not None:
        return known
    hint = typing.get_type_hints(instruction)[field]
    args = typing.get_args(hint)
    optional = isinstance(hint, types.UnionType) and type(None) in args
    if optional:
        hint = next(a for a in args if a is not type(None))
    if typing.get_origin(hint) is tuple:
        hint = tuple
    _FIELD_TYPES[instruction, field] = hint, optional
    return hint, optional


_FIELD_TYPES: dict[tuple[type[Any], str], tuple[Any, bool]] = {}
