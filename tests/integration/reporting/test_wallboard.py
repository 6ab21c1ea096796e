"""The real-time wallboard (issue 16, section 3): rebuilt on the server when the floor
changes and pushed as ``wallboard.updated`` within 2 s, with today's figures equal to the
report of the same day; thresholds validated; not for those who may not see the floor."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from tests.integration.calls.calls_harness import Floor, floor
from tests.integration.inbound.test_inbound_flow import CALLER, NUMBER, _setup
from tests.support import Env

from omnivox.core.security.permissions import Role
from omnivox.reporting.events import WallboardUpdated
from omnivox.telephony import CallStateChanged


async def _pushed(f: Floor) -> list[tuple[float, dict[str, Any]]]:
    """Wallboard pushes as a browser would receive them, with when they came."""
    seen: list[tuple[float, dict[str, Any]]] = []

    async def on_update(event: WallboardUpdated) -> None:
        seen.append((time.monotonic(), event.snapshot))

    f.env.app.state.omnivox.bus.subscribe(WallboardUpdated, on_update)  # type: ignore[attr-defined]
    return seen


async def _quiet(f: Floor) -> None:
    """Let the wallboard's coalescing (half a second, wall clock) run out, after the
    ended calls are in the rollups (a batch counted publishes CallsCounted, which the
    wallboard rebuilds on)."""
    hub = f.env.app.state.wallboard  # type: ignore[attr-defined]
    await f.env.counted()
    await asyncio.sleep(hub.settle_seconds + 0.2)
    await hub.tasks.drain()


async def test_a_waiting_then_abandoned_caller_shows_within_two_seconds(sqlite_env: Env) -> None:
    env = sqlite_env
    async with floor(env) as (f, org):
        alex = await f.agent(org, "alex")
        queue_id = await _setup(f, org, alex)
        admin = f.agents["admin"].headers
        await env.client.put(
            "/api/v1/agents/me/state",
            headers=alex.headers,
            json={"state": "break", "reason": "lunch"},
        )
        await _quiet(f)
        pushed = await _pushed(f)
        changed: list[float] = []

        async def on_call(_event: CallStateChanged) -> None:
            changed.append(time.monotonic())

        env.app.state.omnivox.bus.subscribe(CallStateChanged, on_call)  # type: ignore[attr-defined]
        caller = await f.carrier.place_inbound_call(CALLER, NUMBER)
        await f.advance(3)
        await _quiet(f)
        assert pushed, "no wallboard.updated after the caller arrived"
        first_change, (pushed_at, snapshot) = changed[0], pushed[0]
        assert pushed_at - first_change < 2.0  # the bound, wall clock
        [tile] = [q for q in snapshot["queues"] if q["id"] == queue_id]
        assert tile["waiting"] == 1 and tile["oldest_waiting_since"] is not None
        assert snapshot["agents"]["by_state"].get("break") == 1

        f.carrier.hang_up_party(caller.sid)
        await f.advance(2)
        await _quiet(f)
        latest = pushed[-1][1]
        [tile] = [q for q in latest["queues"] if q["id"] == queue_id]
        assert tile["waiting"] == 0 and tile["calls_abandoned"] == 1

        # The same numbers as the report of the same day.
        day = env.clock.now().date().isoformat()
        report = await env.client.get(
            "/api/v1/reports/run",
            headers=admin,
            params={
                "from": day,
                "to": day,
                "metrics": "calls_offered,calls_handled,calls_abandoned,service_level_offered",
                "by": "queue",
            },
        )
        assert report.status_code == 200, report.text
        [row] = [r for r in report.json()["rows"] if r["queue_id"] == queue_id]
        for metric in ("calls_offered", "calls_handled", "calls_abandoned"):
            assert tile[metric] == row[metric], metric
        # What a (re)connecting screen reads is the pushed snapshot, not a new query.
        served = (await env.client.get("/api/v1/wallboard", headers=admin)).json()
        assert served == latest

        # A supervisor bounded to a team (Alex's): the caller waited in the queue and is
        # the queue's, live; today's figures are the reports', which count their agents'
        # calls only (the abandoned caller reached nobody): the whole queue's would
        # contradict their own report, so the tile withholds them.
        sam = await f.agent(org, "sam", Role.SUPERVISOR, line=False)
        await env.bound_to_teams(org, [sam.user_id, alex.user_id], name="Sam's")
        theirs = await env.client.get(
            "/api/v1/reports/run",
            headers=sam.headers,
            params={"from": day, "to": day, "metrics": "calls_abandoned", "by": "queue"},
        )
        assert theirs.status_code == 200, theirs.text
        assert all(r["calls_abandoned"] in (0, None) for r in theirs.json()["rows"])
        bounded = (await env.client.get("/api/v1/wallboard", headers=sam.headers)).json()
        [narrow] = [q for q in bounded["queues"] if q["id"] == queue_id]
        assert narrow["calls_abandoned"] is None and narrow["calls_offered"] is None
        assert narrow["waiting"] == 0 and narrow["name"] == tile["name"]
        whole = (await env.client.get("/api/v1/wallboard", headers=admin)).json()
        [full] = [q for q in whole["queues"] if q["id"] == queue_id]
        assert full["calls_abandoned"] == 1


async def test_thresholds_and_who_may_see_the_wallboard(sqlite_env: Env) -> None:
    env = sqlite_env
    async with floor(env) as (f, org):
        alex = await f.agent(org, "alex")
        await _setup(f, org, alex)
        sam = await f.agent(org, "sam", Role.SUPERVISOR, line=False)
        admin = f.agents["admin"].headers
        url = "/api/v1/wallboard/thresholds"
        inverted = await env.client.put(
            url, headers=admin, json={"thresholds": {"service_level": [70, 80]}}
        )
        assert inverted.status_code == 422 and "service_level" in inverted.text
        unknown = await env.client.put(url, headers=admin, json={"thresholds": {"mood": [1, 2]}})
        assert unknown.status_code == 422 and "unknown wallboard figure" in unknown.text
        saved = await env.client.put(url, headers=admin, json={"thresholds": {"waiting": [1, 2]}})
        assert saved.status_code == 200 and saved.json()["waiting"] == [1, 2]
        board = (await env.client.get("/api/v1/wallboard", headers=sam.headers)).json()
        assert board["thresholds"]["waiting"] == [1, 2]
        assert board["thresholds"]["service_level"] == [80, 70]  # the default stays (percent)
        assert (
            await env.client.put(url, headers=sam.headers, json={"thresholds": {}})
        ).status_code == 403

        assert (await env.client.get("/api/v1/wallboard", headers=alex.headers)).status_code == 403
        # A queue set up after the last push has no event of its own: a screen connecting
        # once the shared snapshot is older than max_age_seconds gets a rebuilt one.
        made = await env.client.post("/api/v1/queues", headers=admin, json={"name": "Late"})
        assert made.status_code == 201, made.text
        env.app.state.wallboard.max_age_seconds = 0  # type: ignore[attr-defined]
        late = (await env.client.get("/api/v1/wallboard", headers=sam.headers)).json()
        assert "Late" in {q["name"] for q in late["queues"]}
        page = await env.client.get("/wallboard", headers=sam.headers)
        assert page.status_code == 200 and 'data-testid="wallboard"' in page.text
        # Bounded to teams (Sam's has Alex only): Sam sees Alex, not the others.
        await f.agent(org, "bob")
        await env.bound_to_teams(org, [sam.user_id, alex.user_id], name="Sam's")
        bounded = await env.client.get("/api/v1/wallboard", headers=sam.headers)
        assert bounded.status_code == 200, bounded.text
        # (Sam is on the floor himself, and within his own reach.)
        assert {p["name"] for p in bounded.json()["agents"]["people"]} == {"alex", "sam"}
        whole = await env.client.get("/api/v1/wallboard", headers=admin)
        assert {p["name"] for p in whole.json()["agents"]["people"]} >= {"alex", "bob"}
        assert (await env.client.get("/wallboard", headers=sam.headers)).status_code == 200
