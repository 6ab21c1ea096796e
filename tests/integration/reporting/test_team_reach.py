"""A supervisor bounded to teams splitting a report by team sees only the teams within
their reach: a team with an agent outside it gets no row (its figures would be only the
part their agents made, under the whole team's name, and its drill link is refused).
SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

from tests.integration.reporting.test_team_number import build_floor
from tests.support import Env

from omnivox.core.security.permissions import Role
from omnivox.reporting import ReportRequest, run_report

D = date(2026, 3, 10)


async def test_a_team_bounded_supervisor_splitting_by_team_sees_only_their_teams(
    env: Env,
) -> None:
    floor = await build_floor(env)
    sam = await env.user(floor.org_id, "sam@dims.example.com", Role.SUPERVISOR)
    await env.bound_to_teams(floor.org_id, [sam], floor.north)
    headers = await env.token("sam@dims.example.com")
    params = {"metrics": "calls", "by": "team", "from": "2026-03-10", "to": "2026-03-10"}
    split = await env.client.get("/api/v1/reports/run", params=params, headers=headers)
    assert split.status_code == 200, split.text
    # North (Alice, Bob) is Sam's: calls 1, 2 and 6. South holds Carol, outside Sam's
    # reach: no South row with Bob's two calls as if they were South's three.
    assert [(r["team"], r["calls"]) for r in split.json()["rows"]] == [("North", 3)]
    # The same engine call with the scope given directly.
    ask = ReportRequest(("calls",), D, D, ("team",))
    async with env.sessions() as s:
        rows = (
            await run_report(
                s, floor.org_id, ask, env.settings, frozenset({floor.alice, floor.bob, sam})
            )
        ).rows
    assert [(r["team"], r["calls"]) for r in rows] == [("North", 3)]
