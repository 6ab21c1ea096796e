"""The agent's line on the sandbox: held for the session, moved into calls with no click,
watched when it drops (issue 14)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from tests.integration.calls.calls_harness import Agent, Floor, floor
from tests.support import Env

from omnivox.core.security.permissions import Role
from omnivox.routing.models import QueueEntry
from omnivox.telephony.line_watch import LINE_GRACE_SECONDS, LOST_AGENT_MESSAGE
from omnivox.telephony.models import CallEventRow, CallLeg
from omnivox.telephony.sandbox.model import SandboxCall
from omnivox.telephony.sandbox.parties import PartyBehaviour, PartyScript

ANSWERS = PartyScript(behaviour=PartyBehaviour.ANSWER, ring_seconds=2)
NUMBER = "+15005550006"
CALLER = "+14155550199"
ALWAYS_OPEN = {"intervals": [{"weekday": d, "opens": "00:00", "closes": "23:59"} for d in range(7)]}


def line_call(f: Floor, line: dict[str, Any]) -> SandboxCall:
    return f.carrier.find_call(str(line["sid"]))


def home_of(f: Floor, call: SandboxCall) -> str | None:
    """The conference the line is in, by name."""
    if call.conference_sid is None:
        return None
    return f.carrier.conferences[call.conference_sid].friendly_name


async def agents_list(f: Floor, supervisor: Agent) -> dict[str, dict[str, Any]]:
    resp = await f.env.client.get("/api/v1/agents", headers=supervisor.headers)
    assert resp.status_code == 200, resp.text
    return {a["user_id"]: a for a in resp.json()}


# --- unhappy paths first ----------------------------------------------------------------------


async def test_a_line_nobody_answers_is_dropped_and_the_agent_taken_out(sqlite_env: Env) -> None:
    """An agent available with a browser that never answers its line (no softphone): the
    line rings out, the agent goes to a break (line_lost) at once, the floor shows it."""
    async with floor(sqlite_env) as (f, org):
        sam = await f.agent(org, "sam", Role.SUPERVISOR, line=False)
        alex = await f.agent(org, "alex", line=False)
        f.carrier.softphones.unregister(alex.phone)  # no browser at all
        asked = await f.post(alex, "/api/v1/agents/me/line", {"holding": None})
        assert asked.status_code == 200 and asked.json()["status"] == "connecting"
        await f.advance(25)
        line = await f.line(alex)
        assert (line["status"], line["drop_reason"]) == ("dropped", "not_answered")
        state = (await f.env.client.get("/api/v1/agents/me/state", headers=alex.headers)).json()
        assert (state["state"], state["reason"]) == ("break", "line_lost")
        floor_view = await agents_list(f, sam)
        assert floor_view[alex.user_id]["line"] == "dropped"
        assert floor_view[alex.user_id]["state"] == "break"


async def test_an_offline_agent_has_no_line(sqlite_env: Env) -> None:
    async with floor(sqlite_env) as (f, org):
        alex = await f.agent(org, "alex")
        line = line_call(f, await f.line(alex))
        assert not line.is_final and home_of(f, line) == f"line-{alex.user_id}"
        await sqlite_env.client.put(
            "/api/v1/agents/me/state", headers=alex.headers, json={"state": "offline"}
        )
        await f.settle()
        assert line.is_final and (await f.line(alex))["status"] == "off"
        assert await f.agent_state(alex) == "offline"


async def test_a_line_dropped_while_available_takes_the_agent_out_until_it_is_back(
    sqlite_env: Env,
) -> None:
    async with floor(sqlite_env) as (f, org):
        sam = await f.agent(org, "sam", Role.SUPERVISOR, line=False)
        alex = await f.agent(org, "alex")
        assert (await f.line(alex))["status"] == "connected"
        f.carrier.fail_network(str((await f.line(alex))["sid"]))  # network gone
        await f.settle()
        assert await f.agent_state(alex) == "break"
        assert (await agents_list(f, sam))[alex.user_id]["line"] == "dropped"
        # Available is refused in effect while the line is down: straight back to the break.
        await sqlite_env.client.put(
            "/api/v1/agents/me/state", headers=alex.headers, json={"state": "available"}
        )
        await f.settle()
        assert await f.agent_state(alex) == "break"
        # The browser reconnects: its new line connects and the agent is available again.
        assert (await f.connect_line(alex))["status"] == "connected"
        assert await f.agent_state(alex) == "available"
        assert (await agents_list(f, sam))[alex.user_id]["line"] == "connected"


async def test_a_line_lost_mid_call_ends_the_call_with_an_outcome(sqlite_env: Env) -> None:
    """The agent closes the browser during their own call and does not come back: after
    the grace the customer hears why and is hung up, the call goes to wrap-up (never left
    connected), and the wrap-up timeout records a flagged outcome."""
    async with floor(sqlite_env) as (f, org):
        alex = await f.agent(org, "alex")
        call_id = await f.call(alex, ANSWERS)
        await f.advance(4)
        assert (await f.row(call_id)).state == "connected"
        f.carrier.softphones.unregister(alex.phone)  # the browser is closed
        await f.settle()
        assert (await f.line(alex))["status"] == "dropped"
        call = await f.row(call_id)
        assert call.state == "connected"  # the grace: a reload would be back in time
        assert not f.customer_leg(call).is_final
        await f.advance(LINE_GRACE_SECONDS + 1)
        call = await f.row(call_id)
        assert call.state == "wrap_up" and call.end_reason == "agent_hangup"
        await f.advance(6)  # the message takes a few seconds to say
        leg = f.customer_leg(call)
        assert leg.is_final
        assert LOST_AGENT_MESSAGE in [e.detail.get("text") for e in leg.log if e.kind == "say"]
        assert await f.agent_state(alex) == "wrap_up"
        history = await f.history(call_id)
        [lost] = [h for h in history if h.event == "AgentLineLost"]
        assert lost.payload == {"agent_id": alex.user_id} and "line was lost" in (lost.detail or "")
        await f.advance(sqlite_env.settings.wrap_up_seconds + 1)  # nobody dispositions
        assert await f.runtime.service.expire_wrap_ups() == 1  # the sweep's work
        await f.settle()
        call = await f.row(call_id)
        assert call.state == "completed" and call.disposition_code == "wrap_up_timeout"
        assert call.flagged_for_supervisor
        # Out of wrap-up, with no line, the agent is not available: a break.
        state = await sqlite_env.client.get("/api/v1/agents/me/state", headers=alex.headers)
        assert (state.json()["state"], state.json()["reason"]) == ("break", "line_lost")


async def _queue(f: Floor, org: str, answer_mode: str, *agents: Agent) -> str:
    admin = await f.agent(org, "admin", role=Role.ORG_ADMIN, line=False)
    c, h = f.env.client, admin.headers
    assert (
        await c.put("/api/v1/settings/business-hours", headers=h, json=ALWAYS_OPEN)
    ).status_code == 200
    made = await c.post(
        "/api/v1/queues", headers=h, json={"name": "Support", "answer_mode": answer_mode}
    )
    assert made.status_code == 201, made.text
    queue = str(made.json()["id"])
    members = {"members": [{"user_id": a.user_id} for a in agents]}
    assert (
        await c.put(f"/api/v1/queues/{queue}/members", headers=h, json=members)
    ).status_code == 200
    number = await c.post("/api/v1/numbers", headers=h, json={"number": NUMBER, "target_id": queue})
    assert number.status_code == 201, number.text
    await c.put("/api/v1/agents/me/state", headers=h, json={"state": "offline"})
    return queue


async def test_an_inbound_call_whose_agent_line_is_lost_goes_back_to_its_queue(
    sqlite_env: Env,
) -> None:
    async with floor(sqlite_env) as (f, org):
        alex = await f.agent(org, "alex")
        await f.advance(5)
        bea = await f.agent(org, "bea")  # on a break while Alex takes the call
        await f.env.client.put(
            "/api/v1/agents/me/state",
            headers=bea.headers,
            json={"state": "break", "reason": "lunch"},
        )
        await _queue(f, org, "auto", alex, bea)
        caller = await f.carrier.place_inbound_call(CALLER, NUMBER)
        await f.advance(3)
        [entry] = await _entries(f)
        assert entry.status == "connected" and alex.offers == []  # auto-answered
        call_id = entry.call_id
        f.carrier.softphones.unregister(alex.phone)
        await f.advance(LINE_GRACE_SECONDS + 1)
        call = await f.row(call_id)
        assert call.state == "answered_human" and not caller.is_final  # waiting again
        waiting = [e for e in await _entries(f) if e.status == "waiting"]
        assert [e.call_id for e in waiting] == [call_id]
        assert await f.agent_state(alex) == "wrap_up"  # their part of it
        # Bea comes back from lunch (her line stayed up): the caller is hers, with no click.
        await f.env.client.put(
            "/api/v1/agents/me/state", headers=bea.headers, json={"state": "available"}
        )
        await f.advance(2)
        call = await f.row(call_id)
        assert call.state == "connected" and call.agent_id == bea.user_id
        assert bea.offers == [] and not caller.is_final


async def _entries(f: Floor) -> list[QueueEntry]:
    async with f.env.sessions() as s:
        return list((await s.scalars(select(QueueEntry).order_by(QueueEntry.enqueued_at))).all())


# --- what works ---------------------------------------------------------------------------------


async def test_click_to_call_connects_without_a_click(sqlite_env: Env) -> None:
    async with floor(sqlite_env) as (f, org):
        alex = await f.agent(org, "alex")
        line = line_call(f, await f.line(alex))
        call_id = await f.call(alex, ANSWERS)
        assert await f.agent_state(alex) == "reserved"
        await f.advance(3)
        call = await f.row(call_id)
        assert call.state == "connected" and call.agent_id == alex.user_id
        assert alex.offers == []  # nothing rang, nothing was clicked
        assert home_of(f, line) == call.conference_name  # the line moved into the call
        assert await f.agent_state(alex) == "on_call"
        # Hang up: the line goes home, still up for the next call.
        hung = await f.post(alex, f"/api/v1/calls/{call_id}/hangup")
        assert hung.status_code == 200, hung.text
        await f.advance(1)
        assert not line.is_final and home_of(f, line) == f"line-{alex.user_id}"
        assert await f.agent_state(alex) == "wrap_up"
        await f.post(
            alex, f"/api/v1/calls/{call_id}/disposition", {"code": "SALE", "amount": "100"}
        )
        second = await f.call(alex, ANSWERS)
        await f.advance(3)
        assert (await f.row(second)).state == "connected" and alex.offers == []
        assert len(alex.lines) == 1  # one line for the session, not one per call


async def test_the_customer_hanging_up_sends_the_line_home(sqlite_env: Env) -> None:
    async with floor(sqlite_env) as (f, org):
        alex = await f.agent(org, "alex")
        line = line_call(f, await f.line(alex))
        call_id = await f.call(alex, ANSWERS)
        await f.advance(3)
        call = await f.row(call_id)
        f.carrier.hang_up_party(call.provider_sid or "")
        await f.advance(1)
        assert (await f.row(call_id)).state == "wrap_up"
        assert not line.is_final and home_of(f, line) == f"line-{alex.user_id}"
        assert (await f.line(alex))["call_id"] is None


async def test_a_reload_mid_call_does_not_drop_the_customer(sqlite_env: Env) -> None:
    async with floor(sqlite_env) as (f, org):
        alex = await f.agent(org, "alex")
        call_id = await f.call(alex, ANSWERS)
        await f.advance(3)
        call = await f.row(call_id)
        assert call.state == "connected"
        old = line_call(f, await f.line(alex))
        f.reload(alex)  # the page reloads: the old line ends with the old page
        await f.settle()
        assert old.is_final and (await f.line(alex))["status"] == "dropped"
        await f.advance(2)  # the new page loads and registers
        line = await f.connect_line(alex)  # and asks for its line again
        assert line["status"] == "connected" and line["call_id"] == call_id
        new = line_call(f, line)
        assert home_of(f, new) == call.conference_name  # straight back into the call
        await f.advance(LINE_GRACE_SECONDS + 5)
        call = await f.row(call_id)
        assert call.state == "connected" and call.agent_id == alex.user_id
        assert not f.customer_leg(call).is_final
        assert await f.agent_state(alex) == "on_call"
        # The call goes on as before: hold works on the new leg, hang-up sends it home.
        held = await f.post(alex, f"/api/v1/calls/{call_id}/hold")
        assert held.status_code == 200, held.text
        muted = await f.post(alex, f"/api/v1/calls/{call_id}/mute")
        assert muted.status_code == 200 and muted.json()["muted"]
        await f.post(alex, f"/api/v1/calls/{call_id}/hangup")
        await f.advance(1)
        assert not new.is_final and home_of(f, new) == f"line-{alex.user_id}"
        async with sqlite_env.sessions() as s:
            legs = list(await s.scalars(select(CallLeg).where(CallLeg.call_id == call_id)))
        assert [leg.status for leg in legs if leg.role == "agent"] == ["left", "left"]


async def test_an_own_call_rung_without_a_line_that_rings_out_frees_the_customer(
    sqlite_env: Env,
) -> None:
    """No line: the agent's softphone is rung for their own call; if they never take it the
    agent is "missed" and the customer, who answered, is not left waiting (issue 14's trap)."""
    async with floor(sqlite_env) as (f, org):
        alex = await f.agent(org, "alex", line=False)
        alex.answer = False
        call_id = await f.call(alex, ANSWERS)
        await f.advance(40)
        call = await f.row(call_id)
        assert call.state == "abandoned" and f.customer_leg(call).is_final
        assert len(alex.offers) == 1
        state = await sqlite_env.client.get("/api/v1/agents/me/state", headers=alex.headers)
        assert (state.json()["state"], state.json()["reason"]) == ("break", "missed")
        async with sqlite_env.sessions() as s:
            rows = await s.scalars(select(CallEventRow).where(CallEventRow.call_id == call_id))
            assert "system_hangup" in {r.trigger for r in rows}


async def test_an_auto_answer_queue_bridges_the_line_and_an_accept_queue_rings(
    sqlite_env: Env,
) -> None:
    async with floor(sqlite_env) as (f, org):
        alex = await f.agent(org, "alex")
        queue = await _queue(f, org, "auto", alex)
        await f.carrier.place_inbound_call(CALLER, NUMBER)
        await f.advance(3)
        [entry] = await _entries(f)
        assert entry.status == "connected" and alex.offers == []
        assert (await f.row(entry.call_id)).agent_id == alex.user_id
        # The same queue set to accept/reject: the softphone rings, as before.
        admin = f.agents["admin"]
        changed = await f.env.client.put(
            f"/api/v1/queues/{queue}",
            headers=admin.headers,
            json={"name": "Support", "answer_mode": "accept"},
        )
        assert changed.status_code == 200, changed.text
        bea = await f.agent(org, "bea")
        members = {"members": [{"user_id": bea.user_id}]}
        await f.env.client.put(
            f"/api/v1/queues/{queue}/members", headers=admin.headers, json=members
        )
        await f.carrier.place_inbound_call("+14155550198", NUMBER)
        await f.advance(3)
        assert len(bea.offers) == 1
