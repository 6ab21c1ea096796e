"""Inbound calls, digits, conferences with hold/mute/coach, and recordings in the sandbox."""

from __future__ import annotations

import pytest
from tests.integration.telephony.telephony_harness import ACCOUNT_SID, AGENT_NUMBER, Harness

from omnivox.telephony.errors import ProviderError
from omnivox.telephony.instructions import (
    Dial,
    DialConference,
    Gather,
    Pause,
    Say,
)
from omnivox.telephony.ports import (
    DigitsGathered,
    NewParticipant,
    ParticipantChange,
    RecordingStatus,
    WebhookKind,
)
from omnivox.telephony.sandbox.parties import PartyScript

CALLER = "+15557770001"
SUPPORT_LINE = "+15005550100"
AGENT_LEG = "+15558880001"
SUPERVISOR_LEG = "+15558880002"


def inbound_line(h: Harness, first_twiml: str) -> None:
    h.carrier.configure_number(
        SUPPORT_LINE,
        account_sid=ACCOUNT_SID,
        voice_url=h.serve("/voice", first_twiml),
        status_callback_url=h.url("/hooks/status"),
    )


async def test_inbound_call_gathers_digits_from_the_control_api(harness: Harness) -> None:
    menu = harness.provider.render(
        [
            Gather(
                action_url=harness.url("/menu"),
                num_digits=1,
                timeout_seconds=8,
                prompt=(Say(text="Press one for sales, two for support"),),
            ),
            Say(text="We did not get that"),
        ]
    )
    inbound_line(harness, menu)
    harness.serve("/menu", harness.provider.render([Say(text="Connecting you"), Pause(seconds=60)]))
    response = await harness.sandbox_http.post(
        "/sandbox/control/inbound-calls", json={"from": CALLER, "to": SUPPORT_LINE}
    )
    assert response.status_code == 201
    sid = response.json()["sid"]
    await harness.carrier.advance(1)
    voice = harness.omnivox.at("/voice")
    assert voice[0]["CallStatus"] == "ringing" and voice[0]["Direction"] == "inbound"

    pressed = await harness.sandbox_http.post(
        f"/sandbox/control/calls/{sid}/digits", json={"digits": "2"}
    )
    assert pressed.status_code == 204
    await harness.carrier.advance(1)
    (menu_hook,) = harness.omnivox.at("/menu")
    event = harness.provider.parse_webhook(WebhookKind.GATHER, menu_hook)
    assert isinstance(event, DigitsGathered) and event.digits == "2"

    hung = await harness.sandbox_http.post(f"/sandbox/control/calls/{sid}/hangup")
    assert hung.status_code == 204
    await harness.carrier.advance(1)
    assert harness.statuses() == ["completed"]  # numbers only report the final status
    view = (await harness.sandbox_http.get(f"/sandbox/control/calls/{sid}")).json()
    kinds = [e["kind"] for e in view["events"]]
    assert {"webhook", "digits", "gather", "ended"} <= set(kinds)
    assert all(h.signature_valid for h in harness.omnivox.hooks)


async def test_scripted_digits_and_gather_timeout(harness: Harness) -> None:
    menu = harness.provider.render(
        [
            Gather(
                action_url=harness.url("/menu"), num_digits=4, finish_on_key="#", timeout_seconds=5
            )
        ]
    )
    inbound_line(harness, menu)
    harness.serve("/menu", "<Response><Hangup/></Response>")
    script = PartyScript(digits=((1.0, "12"), (3.0, "3#")))
    await harness.carrier.place_inbound_call(CALLER, SUPPORT_LINE, script)
    await harness.carrier.advance(20)
    (menu_hook,) = harness.omnivox.at("/menu")
    assert menu_hook["Digits"] == "123"
    assert menu_hook["FinishedOnKey"] == "#"


async def test_rejected_inbound_call_is_busy(harness: Harness) -> None:
    inbound_line(harness, "<Response><Reject reason='busy'/></Response>")
    call = await harness.carrier.place_inbound_call(CALLER, SUPPORT_LINE)
    await harness.carrier.advance(2)
    assert call.status == "busy"
    assert harness.statuses() == ["busy"]


async def test_conference_hold_mute_coach_and_remove_through_participants(
    harness: Harness,
) -> None:
    room = "call-42"
    conference_twiml = harness.provider.render(
        [
            Dial(
                targets=(
                    DialConference(
                        name=room,
                        end_conference_on_exit=True,
                        status_callback_url=harness.url("/hooks/conference"),
                        status_callback_events=("start", "end", "join", "leave", "mute", "hold"),
                    ),
                )
            ),
            Say(text="The conference has ended"),
        ]
    )
    inbound_line(harness, conference_twiml)
    customer = await harness.carrier.place_inbound_call(CALLER, SUPPORT_LINE)
    await harness.carrier.advance(1)
    conf = await harness.provider.find_conference(room)
    assert conf is not None and conf.status == "in-progress"

    agent = await harness.provider.add_participant(
        room,
        NewParticipant(
            to=AGENT_LEG,
            from_=AGENT_NUMBER,
            label="agent",
            status_callback_url=harness.url("/hooks/agent-status"),
        ),
    )
    await harness.carrier.advance(5)
    held = await harness.provider.update_participant(
        conf.sid, customer.sid, ParticipantChange(hold=True, hold_url="http://music.test/hold.mp3")
    )
    assert held.hold
    await harness.provider.update_participant(conf.sid, customer.sid, ParticipantChange(hold=False))
    muted = await harness.provider.update_participant(
        conf.sid, agent.call_sid, ParticipantChange(muted=True)
    )
    assert muted.muted
    supervisor = await harness.provider.add_participant(
        room,
        NewParticipant(
            to=SUPERVISOR_LEG, from_=AGENT_NUMBER, coaching=True, call_sid_to_coach=agent.call_sid
        ),
    )
    await harness.carrier.advance(5)
    sup_leg = harness.carrier.conferences[conf.sid].participants[supervisor.call_sid]
    assert sup_leg.coaching and sup_leg.call_sid_to_coach == agent.call_sid

    await harness.provider.remove_participant(conf.sid, agent.call_sid)
    await harness.carrier.advance(1)
    assert harness.carrier.calls[agent.call_sid].status == "completed"  # API legs hang up

    events = [p["StatusCallbackEvent"] for p in harness.omnivox.at("/hooks/conference")]
    assert events[:2] == ["participant-join", "conference-start"]
    for expected in (
        "participant-hold",
        "participant-unhold",
        "participant-mute",
        "participant-leave",
    ):
        assert expected in events
    seqs = [int(p["SequenceNumber"]) for p in harness.omnivox.at("/hooks/conference")]
    assert seqs == sorted(seqs) == list(range(len(seqs)))
    assert [e.kind for e in customer.log].count("hold") == 1

    # The customer (endConferenceOnExit) hangs up: the conference ends for everyone.
    harness.carrier.hang_up_party(customer.sid)
    await harness.carrier.advance(1)
    assert harness.carrier.conferences[conf.sid].status == "completed"
    assert "conference-end" in [
        p["StatusCallbackEvent"] for p in harness.omnivox.at("/hooks/conference")
    ]
    assert all(h.signature_valid for h in harness.omnivox.hooks)


async def test_recording_pause_and_resume_excludes_the_paused_stretch(harness: Harness) -> None:
    inbound_line(harness, "<Response><Pause length='600'/></Response>")
    call = await harness.carrier.place_inbound_call(CALLER, SUPPORT_LINE)
    await harness.carrier.advance(1)
    rec = await harness.provider.start_recording(
        call.sid, status_callback_url=harness.url("/hooks/recording")
    )
    assert rec.status is RecordingStatus.IN_PROGRESS
    await harness.carrier.advance(10)
    paused = await harness.provider.set_recording_status(call.sid, rec.sid, RecordingStatus.PAUSED)
    assert paused.status is RecordingStatus.PAUSED
    await harness.carrier.advance(30)  # card payment: not recorded
    resumed = await harness.provider.set_recording_status(
        call.sid, rec.sid, RecordingStatus.IN_PROGRESS
    )
    assert resumed.status is RecordingStatus.IN_PROGRESS
    await harness.carrier.advance(5)
    await harness.provider.set_recording_status(call.sid, rec.sid, RecordingStatus.STOPPED)
    await harness.carrier.advance(1)
    recording_hooks = harness.omnivox.at("/hooks/recording")
    completed = [p for p in recording_hooks if p["RecordingStatus"] == "completed"]
    assert completed and completed[0]["RecordingDuration"] == "15"
    assert completed[0]["CallSid"] == call.sid
    event = harness.provider.parse_webhook(WebhookKind.RECORDING, completed[0])
    assert event.status is RecordingStatus.COMPLETED  # type: ignore[union-attr]


async def test_a_participant_label_in_use_is_refused_as_twilio_does(harness: Harness) -> None:
    """Twilio: 16026 on the Participants API, 16025 (and on to the next verb) in TwiML."""
    room = "call-43"
    joins = harness.provider.render(
        [
            Dial(targets=(DialConference(name=room, participant_label="customer"),)),
            Say(text="Not joined"),
        ]
    )
    inbound_line(harness, joins)
    customer = await harness.carrier.place_inbound_call(CALLER, SUPPORT_LINE)
    await harness.carrier.advance(1)
    conf = await harness.provider.find_conference(room)
    assert conf is not None

    def supervisor(label: str) -> NewParticipant:
        return NewParticipant(to=SUPERVISOR_LEG, from_=AGENT_NUMBER, label=label, muted=True)

    first = await harness.provider.add_participant(room, supervisor("supervisor-1"))
    for taken in ("supervisor-1", "customer"):  # dialling or in: either way it is taken
        with pytest.raises(ProviderError) as refused:
            await harness.provider.add_participant(room, supervisor(taken))
        assert refused.value.http_status == 400 and refused.value.provider_code == 16026
    await harness.carrier.advance(5)
    await harness.provider.add_participant(room, supervisor("supervisor-2"))
    await harness.carrier.advance(5)
    present = harness.carrier.conferences[conf.sid].participants.values()
    labels = sorted(p.label or "" for p in present)
    assert labels == ["customer", "supervisor-1", "supervisor-2"]

    # A second caller whose TwiML asks for the same label is not added; its TwiML goes on.
    second = await harness.carrier.place_inbound_call("+15557770002", SUPPORT_LINE)
    await harness.carrier.advance(5)
    assert second.sid not in harness.carrier.conferences[conf.sid].participants
    assert "error" in [e.kind for e in second.log] and second.is_final

    # Once its participant has left, a label can be used again.
    await harness.provider.remove_participant(conf.sid, first.call_sid)
    await harness.carrier.advance(1)
    await harness.provider.add_participant(room, supervisor("supervisor-1"))
    assert customer.sid in harness.carrier.conferences[conf.sid].participants
