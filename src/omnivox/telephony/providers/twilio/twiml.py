"""Render provider-neutral :mod:`omnivox.telephony.instructions` as TwiML with the SDK.

The tags and attribute names come from :mod:`omnivox.telephony.twiml_vocabulary`, which the
sandbox carrier's parser reads them back with.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from twilio.twiml import voice_response
from twilio.twiml.voice_response import VoiceResponse

from omnivox.telephony.instructions import DialTarget, Instruction
from omnivox.telephony.twiml_vocabulary import element_of, write_attributes

TWIML_MEDIA_TYPE = "application/xml"


def render_twiml(instructions: Sequence[Instruction]) -> str:
    response = VoiceResponse()
    for instruction in instructions:
        _add(response, instruction)
    return str(response.to_xml())


def _add(parent: Any, instruction: Instruction | DialTarget) -> None:
    element = element_of(instruction)
    sdk_class = getattr(voice_response, element.tag)  # Say, Dial, Conference, ...
    attributes = write_attributes(element, instruction)
    if element.text is not None:
        node = sdk_class(getattr(instruction, element.text), **attributes)
    else:
        node = sdk_class(**attributes)
    parent.nest(node)
    for child in getattr(instruction, element.children) if element.children else ():
        _add(node, child)
