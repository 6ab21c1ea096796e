"""Call control beyond the main flow: recording, supervision, blind transfers, mute."""

from __future__ import annotations

from tests.integration.calls.calls_harness import floor
from tests.support import Env

from omnivox.core.security.permissions import Role
from omnivox.telephony.sandbox.parties import PartyBehaviour, PartyScript

ANSWERS = PartyScript(behaviour=PartyBehaviour.ANSWER, ring_seconds=2)


async def test_recording_paused_for_card_details_and_resumed(env: Env) -> None:
    async with floor(env) as (f, org):
        alex = await f.agent(org, "alex")
        call_id = await f.call(alex, ANSWERS)
        await f.advance(4)
        base = f"/api/v1/calls/{call_id}/recording"
        assert (await f.post(alex, f"{base}/pause")).status_code == 409  # nothing recording
        started = await f.post(alex, f"{base}/start")
        assert started.status_code == 200 and started.json()["status"] == "in-progress"
        assert (await f.post(alex, f"{base}/start")).status_code == 409
        await f.advance(10)
        assert (await f.post(alex, f"{base}/pause")).json()["status"] == "paused"
        assert (await f.post(alex, f"{base}/pause")).status_code == 409
        await f.advance(30)
        assert (await f.post(alex, f"{base}/resume")).json()["status"] == "in-progress"
        await f.advance(5)
        assert (await f.post(alex, f"{base}/stop")).json()["status"] == "stopped"
        await f.advance(1)
        detail = (await env.client.get(f"/api/v1/calls/{call_id}", headers=alex.headers)).json()
        [rec] = detail["recordings"]
        # The carrier's record of what was recorded excludes the 30 paused seconds.
        assert rec["status"] == "completed" and rec["duration_seconds"] == 15


async def test_supervisor_listens_whispers_and_barges(sqlite_env: Env) -> None:
    async with floor(sqlite_env) as (f, org):
        alex = await f.agent(org, "alex")
        sam = await f.agent(org, "sam", Role.SUPERVISOR)
        f.open_monitor(sam)
        call_id = await f.call(alex, ANSWERS)
        await f.advance(4)
        assert (await f.post(alex, f"/api/v1/calls/{call_id}/whisper")).status_code == 403
        listen = await f.post(sam, f"/api/v1/calls/{call_id}/listen")
        assert listen.status_code == 200 and listen.json()["muted"]
        await f.advance(3)
        conf = await f.conference(call_id)
        supervisor_leg = listen.json()["id"]
        whisper = await f.post(sam, f"/api/v1/calls/{call_id}/whisper")
        assert whisper.json()["id"] == supervisor_leg and whisper.json()["coaching"]
        coached = [p for p in conf.participants.values() if p.coaching]
        assert len(coached) == 1 and coached[0].call_sid_to_coach
        barge = await f.post(sam, f"/api/v1/calls/{call_id}/barge")
        assert not barge.json()["muted"] and not barge.json()["coaching"]
        assert not any(p.coaching or p.muted for p in conf.participants.values())
        assert (await f.row(call_id)).state == "connected"
        # One leg, rung on the live floor page; sam's own agent desktop never rang.
        assert len(sam.monitored) == 1 and sam.offers == []


async def test_two_supervisors_listen_to_one_call_at_once(sqlite_env: Env) -> None:
    """Each leg has its own conference label: the carrier refuses a label already in use."""
    async with floor(sqlite_env) as (f, org):
        alex = await f.agent(org, "alex")
        sam = await f.agent(org, "sam", Role.SUPERVISOR)
        kim = await f.agent(org, "kim", Role.SUPERVISOR)
        f.open_monitor(sam)
        f.open_monitor(kim)
        call_id = await f.call(alex, ANSWERS)
        await f.advance(4)
        first = await f.post(sam, f"/api/v1/calls/{call_id}/listen")
        second = await f.post(kim, f"/api/v1/calls/{call_id}/listen")
        assert first.status_code == second.status_code == 200, second.text
        await f.advance(3)
        conf = await f.conference(call_id)
        listening = [p for p in conf.participants.values() if p.muted]
        assert len(listening) == 2
        labels = [p.label for p in conf.participants.values()]
        assert len(labels) == len(set(labels)) == 4  # customer, agent, two supervisors
        assert "customer" in labels
        assert (await f.row(call_id)).state == "connected"


async def test_blind_transfer_to_an_agent_and_to_an_external_number(sqlite_env: Env) -> None:
    async with floor(sqlite_env) as (f, org):
        alex = await f.agent(org, "alex")
        bea = await f.agent(org, "bea")
        call_id = await f.call(alex, ANSWERS)
        await f.advance(4)
        bad = await f.post(
            alex, f"/api/v1/calls/{call_id}/transfer", {"kind": "agent", "target": alex.user_id}
        )
        assert bad.status_code == 422
        blind = await f.post(
            alex, f"/api/v1/calls/{call_id}/transfer", {"kind": "agent", "target": bea.user_id}
        )
        assert blind.json()["state"] == "transferring"
        await f.advance(3)
        call = await f.row(call_id)
        assert call.state == "connected" and call.agent_id == bea.user_id
        legs = (
            await sqlite_env.client.get(f"/api/v1/calls/{call_id}", headers=bea.headers)
        ).json()["legs"]
        live = {leg["user_id"] for leg in legs if leg["status"] == "joined"}
        assert live == {bea.user_id}  # Alex's line was dropped once Bea had the customer

        external = await f.post(
            bea,
            f"/api/v1/calls/{call_id}/transfer",
            {"kind": "external", "target": "+442071838750"},
        )
        assert external.status_code == 200
        await f.advance(3)
        call = await f.row(call_id)
        # Handed to the outside; Bea left the line but still owes the disposition.
        assert call.state == "connected" and call.agent_id == bea.user_id
        legs = (
            await sqlite_env.client.get(f"/api/v1/calls/{call_id}", headers=bea.headers)
        ).json()["legs"]
        assert [leg["target"] for leg in legs if leg["status"] == "joined"] == ["+442071838750"]
        f.carrier.hang_up_party(call.provider_sid or "")
        await f.advance(1)
        assert (await f.row(call_id)).state == "wrap_up"


async def test_transfer_target_who_does_not_answer_returns_the_call(sqlite_env: Env) -> None:
    async with floor(sqlite_env) as (f, org):
        alex = await f.agent(org, "alex")
        bea = await f.agent(org, "bea")
        bea.answer = False
        call_id = await f.call(alex, ANSWERS)
        await f.advance(4)
        await f.post(
            alex, f"/api/v1/calls/{call_id}/transfer", {"kind": "agent", "target": bea.user_id}
        )
        await f.advance(40)
        call = await f.row(call_id)
        assert call.state == "connected" and call.agent_id == alex.user_id
        assert len(bea.offers) == 1


async def test_mute_and_unmute_the_agent(sqlite_env: Env) -> None:
    async with floor(sqlite_env) as (f, org):
        alex = await f.agent(org, "alex")
        call_id = await f.call(alex, ANSWERS)
        await f.advance(4)
        muted = await f.post(alex, f"/api/v1/calls/{call_id}/mute")
        assert muted.status_code == 200 and muted.json()["muted"]
        conf = await f.conference(call_id)
        assert [p.muted for p in conf.participants.values()].count(True) == 1
        assert not (await f.post(alex, f"/api/v1/calls/{call_id}/unmute")).json()["muted"]


async def test_other_agents_cannot_control_my_call(sqlite_env: Env) -> None:
    async with floor(sqlite_env) as (f, org):
        alex = await f.agent(org, "alex")
        bea = await f.agent(org, "bea")
        call_id = await f.call(alex, ANSWERS)
        await f.advance(4)
        for action in ("hold", "hangup", "mute", "recording/start"):
            assert (await f.post(bea, f"/api/v1/calls/{call_id}/{action}")).status_code == 403
        assert (await f.row(call_id)).state == "connected"
