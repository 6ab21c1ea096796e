"""The sandbox runs a conference's waitUrl like Twilio: Say/Play/Pause/Redirect, fetched
again when the document ends, stopped when the conference starts; other verbs are 13238."""

from __future__ import annotations

from tests.integration.telephony.telephony_harness import AGENT_NUMBER, Harness

from omnivox.telephony.ports import NewParticipant, OutboundCall
from omnivox.telephony.sandbox.parties import PartyScript

CUSTOMER = "+15551230002"
AGENT_PHONE = "+15551230003"


def _waiting_twiml(h: Harness, wait_url: str) -> str:
    return (
        "<Response><Dial><Conference startConferenceOnEnter='false' "
        f"waitUrl='{wait_url}'>room-1</Conference></Dial></Response>"
    )


async def _call_into_room(h: Harness, wait_twiml: str) -> str:
    wait_url = h.serve("/twiml/wait", wait_twiml)
    h.carrier.script_number(CUSTOMER, PartyScript(ring_seconds=1))
    placed = await h.provider.place_call(
        OutboundCall(
            to=CUSTOMER,
            from_=AGENT_NUMBER,
            url=h.serve("/twiml/answer", _waiting_twiml(h, wait_url)),
            status_callback_url=h.url("/hooks/status"),
        )
    )
    return placed.sid


async def test_wait_twiml_loops_until_the_conference_starts(harness: Harness) -> None:
    sid = await _call_into_room(
        harness, "<Response><Say>You are next in line.</Say><Pause length='10'/></Response>"
    )
    await harness.carrier.advance(40)
    fetched = harness.omnivox.at("/twiml/wait")
    assert len(fetched) >= 3 and all(p["CallSid"] == sid for p in fetched)
    said = [e for e in harness.carrier.calls[sid].log if e.kind == "say"]
    assert said and all(e.detail["while_waiting"] for e in said)

    # An agent who starts the conference joins: the waiting stops at once.
    harness.carrier.script_number(AGENT_PHONE, PartyScript(ring_seconds=1))
    await harness.provider.add_participant(
        "room-1", NewParticipant(to=AGENT_PHONE, from_=AGENT_NUMBER, label="agent")
    )
    await harness.carrier.advance(3)
    conf = next(iter(harness.carrier.conferences.values()))
    assert conf.status == "in-progress"
    count = len(harness.omnivox.at("/twiml/wait"))
    await harness.carrier.advance(40)
    assert len(harness.omnivox.at("/twiml/wait")) == count


async def test_verbs_twilio_refuses_in_wait_twiml_are_error_13238(harness: Harness) -> None:
    sid = await _call_into_room(
        harness, "<Response><Gather numDigits='1'><Say>Press 1</Say></Gather></Response>"
    )
    await harness.carrier.advance(20)
    errors = [e.detail for e in harness.carrier.calls[sid].log if e.kind == "error"]
    assert errors == [{"code": "13238", "verbs": ["Gather"]}]
    assert len(harness.omnivox.at("/twiml/wait")) == 1  # the waiting went quiet
