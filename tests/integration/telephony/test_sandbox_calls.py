"""Outbound calls placed by the real Twilio provider and carried by the sandbox."""

from __future__ import annotations

from tests.integration.telephony.telephony_harness import AGENT_NUMBER, Harness

from omnivox.telephony.fsm import Transition, apply, new_call
from omnivox.telephony.fsm_types import CallState, Direction, EndReason, Owner, OwnerKind
from omnivox.telephony.ports import (
    CallStatusChanged,
    MachineDetected,
    MachineDetection,
    MachineDetectionMode,
    OutboundCall,
    WebhookKind,
)
from omnivox.telephony.sandbox.parties import PartyBehaviour, PartyScript

CUSTOMER = "+15551230001"
HELLO = "<Response><Say>Hello from Omnivox</Say><Pause length='600'/></Response>"


def outbound(h: Harness, **kw: object) -> OutboundCall:
    return OutboundCall(
        to=CUSTOMER,
        from_=AGENT_NUMBER,
        url=h.serve("/twiml/answer", HELLO),
        status_callback_url=h.url("/hooks/status"),
        **kw,  # type: ignore[arg-type]
    )


async def test_answered_call_fetches_twiml_and_posts_signed_ordered_status_callbacks(
    harness: Harness,
) -> None:
    harness.carrier.script_number(CUSTOMER, PartyScript(ring_seconds=3, hang_up_after=20))
    placed = await harness.provider.place_call(outbound(harness))
    assert placed.status.value == "queued"

    await harness.carrier.advance(60)

    hooks = harness.omnivox.hooks
    assert hooks and all(h.signature_valid for h in hooks)
    assert harness.statuses() == ["initiated", "ringing", "in-progress", "completed"]
    status_hooks = harness.omnivox.at("/hooks/status")
    assert [p["SequenceNumber"] for p in status_hooks] == ["0", "1", "2", "3"]
    assert status_hooks[-1]["CallDuration"] == "20"
    assert harness.omnivox.at("/twiml/answer")[0]["CallSid"] == placed.sid
    fetched = await harness.provider.fetch_call(placed.sid)
    assert fetched is not None and fetched.status.value == "completed"
    assert fetched.duration_seconds == 20
    log_kinds = [e.kind for e in harness.carrier.calls[placed.sid].log]
    assert "say" in log_kinds


async def test_status_callbacks_drive_the_state_machine_to_wrap_up(harness: Harness) -> None:
    """What the call service will do: parse each verified webhook and apply it."""
    harness.carrier.script_number(CUSTOMER, PartyScript(ring_seconds=1, hang_up_after=5))
    await harness.provider.place_call(outbound(harness))
    await harness.carrier.advance(30)

    call = new_call(Owner(OwnerKind.CAMPAIGN, "c1"), Direction.OUTBOUND, harness.clock.now())
    for hook in harness.omnivox.hooks:
        if hook.path != "/hooks/status":
            continue
        assert harness.provider.verify_webhook(hook.url, hook.params, _sign(hook))
        event = harness.provider.parse_webhook(WebhookKind.STATUS, hook.params)
        assert isinstance(event, CallStatusChanged)
        outcome = apply(call, event.to_fsm_event(harness.clock.now()))
        assert isinstance(outcome, Transition)
        call = outcome.after
        if call.state is CallState.ANSWERED_HUMAN:
            from omnivox.telephony.fsm_types import AgentConnected

            call = _accept(apply(call, AgentConnected(harness.clock.now(), "agent-1")))
    assert call.state is CallState.WRAP_UP
    assert call.end_reason is EndReason.CUSTOMER_HANGUP


def _accept(outcome: object) -> object:
    assert isinstance(outcome, Transition)
    return outcome.after


def _sign(hook: object) -> str:
    from tests.integration.telephony.telephony_harness import AUTH_TOKEN

    from omnivox.telephony.sandbox.signing import twilio_signature

    return twilio_signature(AUTH_TOKEN, hook.url, hook.params)  # type: ignore[attr-defined]


async def test_busy(harness: Harness) -> None:
    harness.carrier.script_number(CUSTOMER, PartyScript(behaviour=PartyBehaviour.BUSY))
    placed = await harness.provider.place_call(outbound(harness))
    await harness.carrier.advance(10)
    assert harness.statuses() == ["initiated", "ringing", "busy"]
    assert harness.omnivox.at("/twiml/answer") == []
    fetched = await harness.provider.fetch_call(placed.sid)
    assert fetched is not None and fetched.status.value == "busy"


async def test_no_answer_after_the_ring_timeout(harness: Harness) -> None:
    harness.carrier.script_number(CUSTOMER, PartyScript(behaviour=PartyBehaviour.NO_ANSWER))
    await harness.provider.place_call(outbound(harness, timeout_seconds=25))
    await harness.carrier.advance(24)
    assert harness.statuses() == ["initiated", "ringing"]
    await harness.carrier.advance(2)
    assert harness.statuses() == ["initiated", "ringing", "no-answer"]


async def test_answering_machine_reported_by_async_amd_callback(harness: Harness) -> None:
    harness.carrier.script_number(
        CUSTOMER, PartyScript(behaviour=PartyBehaviour.MACHINE, greeting_seconds=9)
    )
    amd = MachineDetection(
        mode=MachineDetectionMode.DETECT_MESSAGE_END, callback_url=harness.url("/hooks/amd")
    )
    placed = await harness.provider.place_call(outbound(harness, machine_detection=amd))
    await harness.carrier.advance(5)
    assert harness.omnivox.at("/hooks/amd") == []
    await harness.carrier.advance(10)
    (amd_hook,) = harness.omnivox.at("/hooks/amd")
    event = harness.provider.parse_webhook(WebhookKind.AMD, amd_hook)
    assert isinstance(event, MachineDetected)
    assert event.call_sid == placed.sid
    assert event.answered_by.value == "machine_end_beep"
    await harness.provider.hang_up(placed.sid)
    await harness.carrier.advance(1)
    assert harness.statuses()[-1] == "completed"


async def test_network_failure_mid_call(harness: Harness) -> None:
    harness.carrier.script_number(CUSTOMER, PartyScript(network_failure_after=12))
    await harness.provider.place_call(outbound(harness))
    await harness.carrier.advance(30)
    final = harness.omnivox.at("/hooks/status")[-1]
    assert final["CallStatus"] == "failed"
    assert final["SipResponseCode"] == "503"


async def test_hang_up_mid_call_through_the_provider(harness: Harness) -> None:
    placed = await harness.provider.place_call(outbound(harness))
    await harness.carrier.advance(10)
    assert harness.statuses()[-1] == "in-progress"
    await harness.provider.hang_up(placed.sid)
    await harness.carrier.advance(1)
    assert harness.statuses()[-1] == "completed"
    assert harness.omnivox.at("/hooks/status")[-1].get("HungUpBy") == "api"


async def test_cancel_while_ringing(harness: Harness) -> None:
    harness.carrier.script_number(CUSTOMER, PartyScript(ring_seconds=20))
    placed = await harness.provider.place_call(outbound(harness))
    await harness.carrier.advance(5)
    await harness.provider.hang_up(placed.sid)
    await harness.carrier.advance(1)
    assert harness.statuses() == ["initiated", "ringing", "canceled"]


async def test_webhooks_signed_with_another_token_are_refused_and_the_call_fails_safe(
    harness: Harness,
) -> None:
    from twilio.request_validator import RequestValidator

    harness.omnivox.validator = RequestValidator("the-real-token-the-app-expects")
    placed = await harness.provider.place_call(outbound(harness))
    await harness.carrier.advance(30)
    assert harness.omnivox.hooks
    assert not any(h.signature_valid for h in harness.omnivox.hooks)
    call = harness.carrier.calls[placed.sid]
    assert call.status == "completed"  # Twilio hangs up after an application error
    errors = [e.detail for e in call.log if e.kind == "error"]
    assert errors and errors[0]["code"] == "11200" and errors[0]["status"] == 403


async def test_the_call_resource_stays_queued_until_it_rings(harness: Harness) -> None:
    """``initiated`` is a status-callback event (its CallStatus says so), never a status of
    Twilio's Call resource."""
    harness.carrier.script_number(CUSTOMER, PartyScript(behaviour=PartyBehaviour.FAIL))
    placed = await harness.provider.place_call(outbound(harness))
    await harness.carrier.advance(0.3)  # dialling has started; the line fails at 0.7 s
    assert harness.statuses() == ["initiated"]
    fetched = await harness.provider.fetch_call(placed.sid)  # through the REST API
    assert fetched is not None and fetched.status.value == "queued"
    await harness.carrier.advance(2)
    assert harness.statuses() == ["initiated", "failed"]
    assert "initiated" in [e.kind for e in harness.carrier.calls[placed.sid].log]
