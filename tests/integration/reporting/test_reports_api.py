"""GET /api/v1/reports/…: the same engine over HTTP, each person seeing only the figures
they may (agents their own, supervisors their teams', admins everything)."""

from __future__ import annotations

import csv
import io

from tests.integration.reporting.shift import Shift, build_shift
from tests.integration.reporting.test_reports import announce
from tests.support import Env

from omnivox.accounts import Organization, teams
from omnivox.accounts.schemas import TeamCreate, TeamMembersWrite
from omnivox.core.security.permissions import Role
from omnivox.core.security.principal import Principal

DAY = {"from": "2026-03-10", "to": "2026-03-10"}


async def _shift(env: Env) -> Shift:
    shift = await build_shift(env)
    await announce(env, shift)
    return shift


async def test_an_admin_sees_everything_as_json_and_csv(sqlite_env: Env) -> None:
    env = sqlite_env
    await _shift(env)
    await env.user((await _org(env)), "boss@acme.example.com", Role.ORG_ADMIN)
    headers = await env.token("boss@acme.example.com")
    resp = await env.client.get(
        "/api/v1/reports/run",
        params={**DAY, "template": "queue_interval", "granularity": "day"},
        headers=headers,
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["columns"][:3] == ["period", "queue", "queue_id"]
    support = next(r for r in body["rows"] if r["queue"] == "Support")
    assert (support["period"], support["calls_offered"], support["asa"]) == ("2026-03-10", 4, 16.5)

    resp = await env.client.get(
        "/api/v1/reports/run",
        params={**DAY, "metrics": "calls_offered", "by": "queue", "format": "csv"},
        headers=headers,
    )
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/csv")
    rows = {r["queue"]: r["calls_offered"] for r in csv.DictReader(io.StringIO(resp.text))}
    # The campaign's calls have no queue: their row is there, with no inbound call offered.
    assert rows == {"": "0", "Sales": "1", "Support": "4"}


async def _org(env: Env) -> str:
    from omnivox.accounts import find_organization_by_slug

    async with env.sessions() as s:
        org = await find_organization_by_slug(s, "acme")
        assert org is not None
        return org.id


async def test_an_agent_sees_their_own_and_a_supervisor_their_team(sqlite_env: Env) -> None:
    env = sqlite_env
    shift = await _shift(env)
    params = {**DAY, "metrics": "calls_with_agent,talk_time", "by": "agent"}
    alice = await env.token("alice@acme.example.com")
    resp = await env.client.get("/api/v1/reports/run", params=params, headers=alice)
    assert resp.status_code == 200, resp.text
    assert [(r["agent"], r["calls_with_agent"]) for r in resp.json()["rows"]] == [("alice", 3)]
    # Totals are hers too: the queue's abandoned calls (no agent) are not her figures.
    total = await env.client.get(
        "/api/v1/reports/run", params={**DAY, "metrics": "calls_offered"}, headers=alice
    )
    assert total.json()["rows"] == [{"calls_offered": 2}]
    other = await env.client.get(
        "/api/v1/reports/run",
        params={**DAY, "metrics": "calls", "filter": "agent=bob@acme.example.com"},
        headers=alice,
    )
    assert other.status_code == 403 and "your own figures" in other.json()["detail"]
    compliance = await env.client.get(
        "/api/v1/reports/run", params={**DAY, "template": "abandon_compliance"}, headers=alice
    )
    assert compliance.status_code == 403

    sup = await env.user(shift.org_id, "sue@acme.example.com", Role.SUPERVISOR)
    sue = await env.token("sue@acme.example.com")
    async with env.sessions() as s:
        actor = Principal.system(shift.org_id)
        team = await teams.create_team(s, actor, TeamCreate(name="Morning"))
        await teams.set_team_members(s, actor, team.id, TeamMembersWrite(user_ids=[sup, shift.bob]))
    # Supervisors see every agent until the organisation bounds them by team.
    resp = await env.client.get("/api/v1/reports/run", params=params, headers=sue)
    # (None: the calls no agent had, the abandoned and the machines.)
    assert {r["agent"] for r in resp.json()["rows"]} == {None, "alice", "bob"}
    async with env.sessions() as s:
        org = await s.get(Organization, shift.org_id)
        assert org is not None
        org.supervisor_scope = "teams"
        await s.commit()
    resp = await env.client.get("/api/v1/reports/run", params=params, headers=sue)
    assert [(r["agent"], r["calls_with_agent"]) for r in resp.json()["rows"]] == [("bob", 2)]


async def test_bad_input_is_a_4xx_that_says_what_is_wrong(sqlite_env: Env) -> None:
    env = sqlite_env
    shift = await _shift(env)
    other = await build_shift(env, "other")
    await env.user(shift.org_id, "boss@acme.example.com", Role.ORG_ADMIN)
    headers = await env.token("boss@acme.example.com")
    cases = [
        ({**DAY, "metrics": "profit"}, 422, "unknown metric 'profit'"),
        ({**DAY, "metrics": "calls", "by": "colour"}, 422, "unknown dimension 'colour'"),
        ({"from": "2026-03-10", "to": "2026-03-01", "metrics": "calls"}, 422, "before it starts"),
        ({"from": "2016-01-01", "to": "2026-03-01", "metrics": "calls"}, 422, "MAX_DAYS"),
        ({**DAY, "metrics": "calls", "filter": f"queue={other.support}"}, 422, "no queue"),
        ({**DAY, "metrics": "calls", "filter": "queue"}, 422, "is not key=value"),
        ({**DAY}, 422, "give either a template or metrics"),
    ]
    for params, status, says in cases:
        resp = await env.client.get("/api/v1/reports/run", params=params, headers=headers)
        assert resp.status_code == status, (params, resp.text)
        assert says in resp.json()["detail"], resp.text
    bad_date = await env.client.get(
        "/api/v1/reports/run", params={"from": "soon", "to": "2026-03-10"}, headers=headers
    )
    assert bad_date.status_code == 422 and "from" in bad_date.text


async def test_the_catalogue_and_templates_over_http(sqlite_env: Env) -> None:
    env = sqlite_env
    org = await env.org("acme")
    await env.user(org, "al@acme.example.com", Role.AGENT)
    headers = await env.token("al@acme.example.com")
    metrics = (await env.client.get("/api/v1/reports/metrics", headers=headers)).json()
    aht = next(m for m in metrics if m["name"] == "aht")
    assert aht["unit"] == "seconds" and "talk + hold + wrap-up" in aht["formula"]
    names = [
        t["name"]
        for t in (await env.client.get("/api/v1/reports/templates", headers=headers)).json()
    ]
    assert "agent_performance" in names and "abandon_compliance" in names


async def test_the_ends_of_the_calendar_are_a_4xx(sqlite_env: Env) -> None:
    env = sqlite_env
    org = await env.org("acme")
    await env.user(org, "boss@acme.example.com", Role.ORG_ADMIN)
    headers = await env.token("boss@acme.example.com")
    for params in (
        {"from": "9999-12-31", "to": "9999-12-31", "metrics": "calls"},
        {"from": "0001-01-01", "to": "0001-01-01", "template": "abandon_compliance"},
    ):
        resp = await env.client.get("/api/v1/reports/run", params=params, headers=headers)
        assert resp.status_code == 422, resp.text
