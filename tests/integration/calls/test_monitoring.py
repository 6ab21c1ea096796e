"""Monitoring from the live floor when the supervisor does the wrong thing or nothing
(issue 14: "listen, whisper and barge are one click each … errors are shown in words")."""

from __future__ import annotations

from tests.integration.calls.calls_harness import floor
from tests.support import Env

from omnivox.core.security.permissions import Role
from omnivox.telephony.models import CallLeg
from omnivox.telephony.sandbox.parties import PartyBehaviour, PartyScript
from omnivox.telephony.supervision import MONITOR_RING_SECONDS

ANSWERS = PartyScript(behaviour=PartyBehaviour.ANSWER, ring_seconds=2)
HANGS_UP = PartyScript(behaviour=PartyBehaviour.ANSWER, ring_seconds=2, hang_up_after=8)


async def _supervisor_legs(env: Env, call_id: str) -> list[CallLeg]:
    runtime = env.app.state.telephony  # type: ignore[attr-defined]
    return [
        leg
        for leg in await runtime.service.legs.legs(call_id, live_only=False)
        if leg.role == "supervisor"
    ]


async def test_whisper_while_the_monitor_is_still_ringing_rings_it_again_in_the_new_mode(
    sqlite_env: Env,
) -> None:
    """The page is not answering yet: the listen leg rings; a click on whisper does not
    fail with the carrier's "participant not found", it replaces the ringing leg."""
    async with floor(sqlite_env) as (f, org):
        alex = await f.agent(org, "alex")
        sam = await f.agent(org, "sam", Role.SUPERVISOR, line=False)
        call_id = await f.call(alex, ANSWERS)
        await f.advance(4)
        listen = await f.post(sam, f"/api/v1/calls/{call_id}/listen")
        assert listen.status_code == 200, listen.text
        whisper = await f.post(sam, f"/api/v1/calls/{call_id}/whisper")
        assert whisper.status_code == 200, whisper.text
        assert whisper.json()["coaching"] and whisper.json()["id"] != listen.json()["id"]
        await f.settle()
        legs = {leg.id: leg for leg in await _supervisor_legs(sqlite_env, call_id)}
        assert legs[listen.json()["id"]].status == "left"
        first = legs[listen.json()["id"]].provider_sid or ""
        assert f.carrier.find_call(first).is_final  # the carrier stopped ringing it
        assert [leg.coaching for leg in legs.values() if leg.status != "left"] == [True]
        assert sam.offers == []  # the agent desktop of the same person never rang


async def test_a_monitor_nobody_answers_gives_up_and_the_next_click_rings_again(
    sqlite_env: Env,
) -> None:
    async with floor(sqlite_env) as (f, org):
        alex = await f.agent(org, "alex")
        sam = await f.agent(org, "sam", Role.SUPERVISOR, line=False)
        call_id = await f.call(alex, ANSWERS)
        await f.advance(4)
        assert (await f.post(sam, f"/api/v1/calls/{call_id}/listen")).status_code == 200
        await f.advance(MONITOR_RING_SECONDS + 2)
        assert [leg.status for leg in await _supervisor_legs(sqlite_env, call_id)] == ["left"]
        assert (await f.row(call_id)).state == "connected"  # the call is untouched
        f.open_monitor(sam)
        barge = await f.post(sam, f"/api/v1/calls/{call_id}/barge")
        assert barge.status_code == 200, barge.text
        await f.advance(2)
        conf = await f.conference(call_id)
        assert len(conf.participants) == 3 and len(sam.monitored) == 1


async def test_closing_the_live_floor_mid_listen_then_switching_says_so_or_rings_again(
    sqlite_env: Env,
) -> None:
    async with floor(sqlite_env) as (f, org):
        alex = await f.agent(org, "alex")
        sam = await f.agent(org, "sam", Role.SUPERVISOR, line=False)
        f.open_monitor(sam)
        call_id = await f.call(alex, ANSWERS)
        await f.advance(4)
        assert (await f.post(sam, f"/api/v1/calls/{call_id}/listen")).status_code == 200
        await f.advance(2)
        f.close_monitor(sam)
        await f.settle()
        assert [leg.status for leg in await _supervisor_legs(sqlite_env, call_id)] == ["left"]
        assert (await f.row(call_id)).state == "connected"  # the customer never noticed
        again = await f.post(sam, f"/api/v1/calls/{call_id}/whisper")
        assert again.status_code == 200, again.text  # a fresh leg, not a carrier error


async def test_supervising_a_call_that_has_ended_or_is_not_with_an_agent_says_so(
    sqlite_env: Env,
) -> None:
    async with floor(sqlite_env) as (f, org):
        alex = await f.agent(org, "alex")
        sam = await f.agent(org, "sam", Role.SUPERVISOR, line=False)
        f.open_monitor(sam)
        call_id = await f.call(alex, HANGS_UP)
        await f.advance(20)  # the customer hung up: wrap-up
        wrap = await f.post(sam, f"/api/v1/calls/{call_id}/listen")
        assert wrap.status_code == 409 and "hung up" in wrap.json()["detail"], wrap.text
        done = await f.post(
            alex, f"/api/v1/calls/{call_id}/disposition", {"code": "SALE", "amount": "100"}
        )
        assert done.status_code == 200, done.text
        ended = await f.post(sam, f"/api/v1/calls/{call_id}/barge")
        assert ended.status_code == 409
        assert ended.json()["detail"] == "cannot barge: the call has ended"
        assert sam.monitored == []


async def test_only_a_supervisor_gets_a_monitor_softphone(sqlite_env: Env) -> None:
    async with floor(sqlite_env) as (f, org):
        alex = await f.agent(org, "alex", line=False)
        sam = await f.agent(org, "sam", Role.SUPERVISOR, line=False)
        url = "/api/v1/telephony/token?purpose=monitor"
        refused = await sqlite_env.client.get(url, headers=alex.headers)
        assert refused.status_code == 403 and "calls:supervise" in refused.json()["detail"]
        mine = await sqlite_env.client.get(url, headers=sam.headers)
        assert mine.status_code == 200 and mine.json()["identity"] == f"monitor_{sam.user_id}"
        desk = await sqlite_env.client.get("/api/v1/telephony/token", headers=sam.headers)
        assert desk.json()["identity"] == f"agent_{sam.user_id}"
        bad = await sqlite_env.client.get(
            "/api/v1/telephony/token?purpose=spy", headers=sam.headers
        )
        assert bad.status_code == 422


async def test_stopping_ends_the_monitor_leg_even_while_it_rings(sqlite_env: Env) -> None:
    """Switching calls on the live floor stops the old leg on the server: one still ringing
    must not be answered later and leave the supervisor on two calls."""
    async with floor(sqlite_env) as (f, org):
        alex = await f.agent(org, "alex")
        sam = await f.agent(org, "sam", Role.SUPERVISOR, line=False)
        call_id = await f.call(alex, ANSWERS)
        await f.advance(4)
        listen = await f.post(sam, f"/api/v1/calls/{call_id}/listen")
        assert listen.status_code == 200
        [ringing] = await _supervisor_legs(sqlite_env, call_id)
        assert ringing.status == "joining" and "ovx_monitor=" + call_id in ringing.target
        stop = await f.post(sam, f"/api/v1/calls/{call_id}/monitor/stop")
        assert stop.status_code == 204, stop.text
        await f.settle()
        [gone] = await _supervisor_legs(sqlite_env, call_id)
        assert gone.status == "left" and (await f.row(call_id)).state == "connected"
        agent = await f.post(alex, f"/api/v1/calls/{call_id}/monitor/stop")
        assert agent.status_code == 403
