"""Answering machines versus the 2-second rule: campaign calls on the sandbox carrier.

Asynchronous AMD never delays a person: an answer goes to a free agent at once. When AMD
later says "machine", the dialler takes the call back (the agent is free again without
wrap-up and told why) and the line gets the campaign's AMD action; a voicemail-drop
campaign asks for ``DetectMessageEnd`` so the message plays after the machine's beep.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from tests.integration.calls.calls_harness import Agent, Floor, floor
from tests.integration.dialer.dialer_harness import (
    NOON,
    add_contacts,
    campaign,
    campaign_calls,
    engine_of,
    run,
)
from tests.support import Env

from omnivox.agents.models import AgentStateHistory
from omnivox.campaigns.models import ContactAttempt
from omnivox.core.events import DomainEvent
from omnivox.telephony.models import CallEventRow, CallLeg
from omnivox.telephony.sandbox.legs import detection
from omnivox.telephony.sandbox.model import AmdRequest, LogEntry
from omnivox.telephony.sandbox.parties import GreetingEnd, PartyBehaviour, PartyScript

VOICEMAIL = "https://media.example.com/acme/spring-voicemail.mp3"
GREETING = 6.0


def machine(**kw: Any) -> PartyScript:
    return PartyScript(
        **{"behaviour": PartyBehaviour.MACHINE, "ring_seconds": 3, "greeting_seconds": GREETING}
        | kw
    )


async def _start(
    f: Floor, org: str, agents: list[Agent], phones: list[tuple[str, PartyScript]], **fields: Any
) -> tuple[str, dict[str, str]]:
    cid, boss = await campaign(f, org, agents, **fields)
    got = await f.env.client.get(f"/api/v1/campaigns/{cid}", headers=boss.headers)
    list_id = str(got.json()["list_ids"][0])
    await add_contacts(f, org, list_id, [(phone, "UTC", script) for phone, script in phones])
    await engine_of(f).start()
    started = await f.env.client.post(f"/api/v1/campaigns/{cid}/start", headers=boss.headers)
    assert started.status_code == 200, started.text
    return cid, boss.headers


def _listen(env: Env, name: str) -> list[DomainEvent]:
    heard: list[DomainEvent] = []

    async def handler(event: DomainEvent) -> None:
        if event.name == name:
            heard.append(event)

    env.app.state.omnivox.bus.subscribe(DomainEvent, handler, remote=True)  # type: ignore[attr-defined]
    return heard


def _first(log: list[LogEntry], kind: str, **detail: object) -> LogEntry:
    for entry in log:
        if entry.kind == kind and all(entry.detail.get(k) == v for k, v in detail.items()):
            return entry
    raise AssertionError(f"no {kind} {detail} in {[(e.kind, e.detail) for e in log]}")


async def _agent_history(env: Env, agent: Agent) -> list[AgentStateHistory]:
    async with env.sessions() as s:
        query = select(AgentStateHistory).where(AgentStateHistory.user_id == agent.user_id)
        return list((await s.scalars(query.order_by(AgentStateHistory.seq))).all())


async def _transitions(env: Env, call_id: str) -> list[tuple[str, str, str | None, datetime]]:
    async with env.sessions() as s:
        query = select(CallEventRow).where(CallEventRow.call_id == call_id, CallEventRow.applied)
        rows = (await s.scalars(query.order_by(CallEventRow.id))).all()
    return [(r.from_state, r.to_state, r.trigger, r.at) for r in rows if r.from_state != r.to_state]


async def test_machine_reaching_a_free_agent_is_taken_back_and_dropped_after_the_beep(
    env: Env,
) -> None:
    env.clock.set(NOON)
    async with floor(env) as (f, org):
        alex = await f.agent(org, "alex")
        taken_back = _listen(env, "call.taken_back")
        cid, _ = await _start(
            f,
            org,
            [alex],
            [("+14155550011", machine())],
            amd_action="voicemail_drop",
            voicemail_audio=VOICEMAIL,
        )
        try:
            await run(f, 6)  # placed, answered at ~3 s, the agent joined within 2 s
            [call] = await campaign_calls(f, cid)
            assert call.state == "connected" and call.agent_id == alex.user_id
            assert await f.agent_state(alex) == "on_call"
            leg = f.customer_leg(call)
            assert leg.amd is not None and leg.amd.asynchronous
            assert leg.amd.mode == "DetectMessageEnd"  # asked of the carrier by the dialler
            assert not taken_back

            await run(f, 12)  # the greeting ends, AMD says machine, the message plays
            call = await f.row(call.id)
            assert (call.state, call.end_reason) == ("completed", "machine")
            assert call.disposition_code == "answering_machine"
            assert call.disposition_source == "system"
            assert call.answered_by == "machine_end_beep"
            assert call.agent_id == alex.user_id  # who briefly had it
            steps = await _transitions(env, call.id)
            taken = [t for t in steps if (t[0], t[1]) == ("connected", "answered_machine")]
            assert len(taken) == 1 and taken[0][2] == "amd_machine"
            verdict_at = taken[0][3]

            # The agent: straight back to available at the verdict, never in wrap-up.
            assert await f.agent_state(alex) == "available"
            history = await _agent_history(env, alex)
            assert "wrap_up" not in {h.to_state for h in history}
            back = [h for h in history if (h.from_state, h.to_state) == ("on_call", "available")]
            assert len(back) == 1 and back[0].call_id == call.id and back[0].by == "system"
            assert back[0].at == verdict_at
            [notice] = taken_back
            assert notice.audience.user_id == alex.user_id
            assert notice.data["user_id"] == alex.user_id
            assert notice.data["call"]["id"] == call.id
            assert notice.data["message"] == "Answering machine — handled by the dialler"
            # The agent's leg left the call: their line is back in their own conference.
            line = (await f.line(alex))["sid"]
            home = f.carrier.find_call(line)
            assert not home.is_final and home.conference_sid is not None
            assert f.carrier.conferences[home.conference_sid].friendly_name == (
                f"line-{alex.user_id}"
            )

            # The line: the drop started when the greeting had ended, never over it.
            log = leg.log
            beep = _first(log, "greeting-ended", end="beep")
            amd = _first(log, "amd", answered_by="machine_end_beep")
            drop = _first(log, "verb", verb="Play")
            assert call.answered_at is not None
            assert (beep.at - call.answered_at).total_seconds() >= GREETING - 0.5
            assert beep.at <= amd.at <= drop.at
            assert _first(log, "play", url=VOICEMAIL).at > drop.at
            assert not [e for e in log if e.kind == "verb" and e.detail["verb"] == "Pause"]
            assert log.index(beep) < log.index(drop)

            async with env.sessions() as s:
                attempt = await s.scalar(
                    select(ContactAttempt).where(ContactAttempt.call_id == call.id)
                )
            assert attempt is not None and attempt.disposition == "VOICEMAIL"
        finally:
            await engine_of(f).stop()


async def test_hang_up_campaign_asks_for_early_detection_and_hangs_up_at_machine_start(
    sqlite_env: Env,
) -> None:
    env = sqlite_env
    env.clock.set(NOON)
    async with floor(env) as (f, org):
        alex = await f.agent(org, "alex")
        taken_back = _listen(env, "call.taken_back")
        cid, _ = await _start(
            f, org, [alex], [("+14155550012", machine(amd_seconds=1.5))], amd_action="hangup"
        )
        try:
            await run(f, 10)
            [call] = await campaign_calls(f, cid)
            leg = f.customer_leg(call)
            assert leg.amd is not None and leg.amd.mode == "Enable" and leg.amd.asynchronous
            assert (call.state, call.end_reason) == ("completed", "machine")
            assert call.answered_by == "machine_start"
            assert call.disposition_code == "answering_machine"
            assert call.answered_at is not None and call.ended_at is not None
            # Hung up at the verdict, 1.5 s into the greeting (the carrier's answer timestamp
            # is whole seconds, and the test's clock moves in 0.5 s steps).
            assert (call.ended_at - call.answered_at).total_seconds() <= 2.5
            assert not [e for e in leg.log if e.kind in ("play", "say", "greeting-ended")]
            amd = _first(leg.log, "amd", answered_by="machine_start")
            ended = _first(leg.log, "ended")
            assert (ended.at - amd.at).total_seconds() <= 0.5
            # The agent had been given it (connected or still ringing) and was taken back.
            async with env.sessions() as s:
                given = await s.scalar(
                    select(CallLeg.id).where(
                        CallLeg.call_id == call.id, CallLeg.user_id == alex.user_id
                    )
                )
            assert given is not None
            assert [e.data["user_id"] for e in taken_back] == [alex.user_id]
            assert await f.agent_state(alex) == "available"
            history = await _agent_history(env, alex)
            assert "wrap_up" not in {h.to_state for h in history}
        finally:
            await engine_of(f).stop()


async def test_a_person_gets_the_agent_within_two_seconds_and_keeps_them(
    sqlite_env: Env,
) -> None:
    env = sqlite_env
    env.clock.set(NOON)
    async with floor(env) as (f, org):
        alex = await f.agent(org, "alex")
        taken_back = _listen(env, "call.taken_back")
        person = PartyScript(ring_seconds=3, amd_seconds=2.5)
        cid, _ = await _start(
            f,
            org,
            [alex],
            [("+14155550013", person)],
            amd_action="voicemail_drop",
            voicemail_audio=VOICEMAIL,
        )
        try:
            await run(f, 15)
            [call] = await campaign_calls(f, cid)
            leg = f.customer_leg(call)
            assert leg.amd is not None and leg.amd.mode == "DetectMessageEnd"
            assert call.state == "connected" and call.agent_id == alex.user_id
            assert call.answered_by == "human"  # early, even with DetectMessageEnd
            steps = await _transitions(env, call.id)
            connected = [t for t in steps if t[2] == "agent_connected"]
            assert call.answered_at is not None and len(connected) == 1
            assert (connected[0][3] - call.answered_at).total_seconds() <= 2.0
            amd = _first(leg.log, "amd", answered_by="human")
            assert (amd.at - call.answered_at).total_seconds() >= 2.0  # the agent came first
            assert await f.agent_state(alex) == "on_call"
            assert not taken_back
            assert not [e for e in leg.log if e.kind in ("play", "say")]
        finally:
            await engine_of(f).stop()


async def test_campaign_figures_count_a_taken_back_machine_as_a_machine(env: Env) -> None:
    env.clock.set(NOON)
    async with floor(env) as (f, org):
        alex = await f.agent(org, "alex")
        cid, headers = await _start(
            f,
            org,
            [alex],
            [
                ("+14155550021", machine()),
                ("+14155550022", PartyScript(ring_seconds=3, hang_up_after=5)),
            ],
            amd_action="voicemail_drop",
            voicemail_audio=VOICEMAIL,
        )
        try:
            await run(f, 50)  # one agent, progressive: one call after the other
            calls = await campaign_calls(f, cid)
            assert sorted((c.state, c.end_reason) for c in calls) == [
                ("completed", "customer_hangup"),
                ("completed", "machine"),
            ]
            machine_call = next(c for c in calls if c.end_reason == "machine")
            steps = await _transitions(env, machine_call.id)
            assert ("connected", "answered_machine") in {(t[0], t[1]) for t in steps}
            live = await env.client.get(f"/api/v1/campaigns/{cid}/live", headers=headers)
            assert live.status_code == 200, live.text
            stats = live.json()
            assert stats["dialled"] == 2 and stats["answered"] == 2
            assert stats["amd_rate"] == 0.5
            assert stats["abandoned"] == 0 and stats["live_answers"] == 1
            assert stats["abandon_rate"] == 0.0
            async with env.sessions() as s:
                outcomes = {
                    a.call_id: a.disposition
                    for a in (await s.scalars(select(ContactAttempt))).all()
                }
            assert outcomes[machine_call.id] == "VOICEMAIL"
        finally:
            await engine_of(f).stop()


def test_sandbox_detection_follows_twilios_modes_and_timeout() -> None:
    person, answering = PartyScript(amd_seconds=2.0), machine(amd_seconds=1.5)
    enable = AmdRequest(mode="Enable", asynchronous=True, callback_url="x")
    at_end = AmdRequest(mode="DetectMessageEnd", asynchronous=True, callback_url="x")
    assert detection(person, enable) == (2.0, "human")
    assert detection(person, at_end) == (2.0, "human")  # a person is reported early
    assert detection(answering, enable) == (1.5, "machine_start")
    assert detection(answering, at_end) == (GREETING, "machine_end_beep")
    silent = machine(greeting_end=GreetingEnd.SILENCE)
    assert detection(silent, at_end) == (GREETING, "machine_end_silence")
    long_greeting = machine(greeting_seconds=45.0)
    assert detection(long_greeting, at_end) == (30.0, "unknown")  # MachineDetectionTimeout
    short = AmdRequest(
        mode="DetectMessageEnd", asynchronous=True, callback_url="x", timeout_seconds=50
    )
    assert detection(long_greeting, short) == (45.0, "machine_end_beep")
