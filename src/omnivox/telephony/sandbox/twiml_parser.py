"""Parse the TwiML Omnivox emits into :mod:`omnivox.telephony.instructions` values.

Only the verbs Omnivox uses are understood (Say, Play, Pause, Gather, Dial with Number /
Client / Conference, Record, Redirect, Hangup, Reject), with the names of
:mod:`omnivox.telephony.twiml_vocabulary`, which the Twilio provider renders them with;
anything else is refused with a clear error, as an emulator should rather than silently
skip it.
"""

from __future__ import annotations

# The TwiML comes from Omnivox's own webhook endpoints; the standard library parser does not
# resolve external entities, and expat (>= 2.4.1, bundled with Python 3.11) bounds entity
# expansion, so it is safe for this input.
import xml.etree.ElementTree as ET
from typing import Any

from omnivox.telephony.instructions import DialNumber, DialTarget, Instruction, Pause, Play, Say
from omnivox.telephony.twiml_vocabulary import (
    CLIENT_IDENTITY,
    DIAL_NOUNS,
    PROMPTS,
    VERBS,
    Element,
    TwimlError,
    read_attributes,
    read_text,
)

__all__ = ["TwimlError", "parse_twiml"]


def parse_twiml(document: str) -> list[Instruction]:
    try:
        root = ET.fromstring(document)  # noqa: S314 - see the module comment
    except ET.ParseError as exc:
        raise TwimlError(f"not well-formed XML: {exc}") from exc
    if root.tag != "Response":
        raise TwimlError(f"root element must be <Response>, not <{root.tag}>")
    return [_verb(el) for el in root]


def _verb(el: ET.Element) -> Instruction:
    element = VERBS.get(el.tag)
    if element is None:
        raise TwimlError(f"<{el.tag}> is not emulated by the sandbox carrier")
    fields = _fields(element, el)
    if el.tag == "Play" and fields.get("digits"):
        fields["url"] = None  # DTMF tones; any text is ignored
    elif el.tag == "Gather":
        fields["prompt"] = tuple(_prompt(child) for child in el)
    elif el.tag == "Dial":
        targets: list[DialTarget] = [_dial_target(child) for child in el]
        if not targets and (el.text or "").strip():
            targets.append(DialNumber(number=(el.text or "").strip()))
        fields["targets"] = tuple(targets)
    instruction: Instruction = element.instruction(**fields)  # type: ignore[assignment]
    return instruction


def _prompt(el: ET.Element) -> Say | Play | Pause:
    prompt = _verb(el) if el.tag in PROMPTS else None
    if not isinstance(prompt, Say | Play | Pause):
        raise TwimlError(f"<{el.tag}> cannot be nested in <Gather>")
    return prompt


def _dial_target(el: ET.Element) -> DialTarget:
    element = DIAL_NOUNS.get(el.tag)
    if element is None:
        raise TwimlError(f"<{el.tag}> inside <Dial> is not emulated by the sandbox carrier")
    fields = _fields(element, el)
    identity = el.find(CLIENT_IDENTITY) if el.tag == "Client" else None
    if identity is not None:
        fields.update(read_text(element, identity.text))
    target: DialTarget = element.instruction(**fields)  # type: ignore[assignment]
    return target


def _fields(element: Element, el: ET.Element) -> dict[str, Any]:
    return {**read_text(element, el.text), **read_attributes(element, el.get)}
