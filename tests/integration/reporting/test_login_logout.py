"""The login/logout template from raw agent state history, in an organisation on New York
time (EDT, UTC-4, on 10-11 March 2026), through the API like any template. SQLite and
PostgreSQL.

Ann logs in at 22:30 on the 10th and out at 01:15 on the 11th (one session, counted on
the 10th: 2 h 45 min), then 08:00-12:00 and 13:00-13:30 on the 11th (two sessions,
4 h 30 min). Ben's session of the 9th (23:00 to 01:00 on the 10th) began before the
range; he logs in at 09:00 on the 11th and is still logged in: his time runs to the end
of the range (midnight after the 11th: 15 h).

Teams (where a test asks for them): "Late shift" = Ann and Sue (a supervisor), "Early
shift" = Ben; another organisation has a "Late shift" of its own.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from tests.integration.reporting.script import insert_states
from tests.integration.reporting.test_reports_cli import omnivox
from tests.support import Env

from omnivox.accounts import Organization, teams
from omnivox.accounts.schemas import TeamCreate, TeamMembersWrite
from omnivox.core.security.permissions import Role
from omnivox.core.security.principal import Principal

RUN = "/api/v1/reports/run"


def utc(day: int, hh: int, mm: int = 0) -> datetime:
    return datetime(2026, 3, day, hh, mm, tzinfo=UTC)


@pytest.fixture
async def night(env: Env) -> dict[str, str]:
    org = await env.org("night", "America/New_York")
    ann = await env.user(org, "ann@night.example.com", Role.AGENT)
    ben = await env.user(org, "ben@night.example.com", Role.AGENT)
    await env.user(org, "boss@night.example.com", Role.ORG_ADMIN)
    async with env.sessions() as s:
        await insert_states(
            s,
            org,
            ann,
            [
                (utc(11, 2, 30), "available", None),  # 22:30 EDT on the 10th
                (utc(11, 3), "break", "lunch"),
                (utc(11, 3, 30), "available", None),
                (utc(11, 5, 15), "offline", None),  # 01:15 on the 11th
                (utc(11, 12), "available", None),  # 08:00
                (utc(11, 16), "offline", None),  # 12:00
                (utc(11, 17), "on_call", None),  # 13:00
                (utc(11, 17, 30), "offline", None),  # 13:30
            ],
        )
        await insert_states(
            s,
            org,
            ben,
            [
                (utc(10, 3), "available", None),  # 23:00 EDT on the 9th
                (utc(10, 5), "offline", None),  # 01:00 on the 10th
                (utc(11, 13), "available", None),  # 09:00 on the 11th
                (utc(11, 14), "break", "training"),
            ],
        )
        await s.commit()
    return {"org": org, "ann": ann, "ben": ben}


async def _run(env: Env, who: str, **params: Any) -> Any:
    headers = await env.token(f"{who}@night.example.com")
    return await env.client.get(RUN, params={"template": "login_logout", **params}, headers=headers)


async def test_sessions_per_agent_per_local_day(env: Env, night: dict[str, str]) -> None:
    resp = await _run(env, "boss", **{"from": "2026-03-10", "to": "2026-03-11"})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["columns"] == [
        "day",
        "agent",
        "agent_id",
        "first_login",
        "last_logout",
        "logged_in_time",
        "sessions",
        "still_logged_in",
    ]
    assert [{k: v for k, v in r.items() if k != "agent_id"} for r in body["rows"]] == [
        {
            "day": "2026-03-10",
            "agent": "ann",
            "first_login": "2026-03-10T22:30:00-04:00",
            "last_logout": "2026-03-11T01:15:00-04:00",
            "logged_in_time": 9900.0,
            "sessions": 1,
            "still_logged_in": False,
        },
        {
            "day": "2026-03-11",
            "agent": "ann",
            "first_login": "2026-03-11T08:00:00-04:00",
            "last_logout": "2026-03-11T13:30:00-04:00",
            "logged_in_time": 16200.0,
            "sessions": 2,
            "still_logged_in": False,
        },
        {
            "day": "2026-03-11",
            "agent": "ben",
            "first_login": "2026-03-11T09:00:00-04:00",
            "last_logout": None,
            "logged_in_time": 54000.0,
            "sessions": 1,
            "still_logged_in": True,
        },
    ]


async def test_a_session_past_the_range_shows_its_logout_and_counts_to_the_end(
    env: Env, night: dict[str, str]
) -> None:
    resp = await _run(env, "boss", **{"from": "2026-03-10", "to": "2026-03-10"})
    assert resp.status_code == 200, resp.text
    [row] = resp.json()["rows"]
    assert (row["agent"], row["last_logout"]) == ("ann", "2026-03-11T01:15:00-04:00")
    assert row["logged_in_time"] == 5400.0  # 22:30 to midnight: the range ends there


async def test_agents_see_their_own_and_filters_are_checked(
    env: Env, night: dict[str, str]
) -> None:
    days = {"from": "2026-03-10", "to": "2026-03-11"}
    mine = await _run(env, "ben", **days)
    assert mine.status_code == 200, mine.text
    assert {r["agent"] for r in mine.json()["rows"]} == {"ben"}
    filtered = await _run(env, "boss", **days, filter="agent=ann@night.example.com")
    assert [r["day"] for r in filtered.json()["rows"]] == ["2026-03-10", "2026-03-11"]
    wrong = await _run(env, "boss", **days, filter="queue=Support")
    assert wrong.status_code == 422 and "filtered by agent and team only" in wrong.text
    inverted = await _run(env, "boss", **{"from": "2026-03-11", "to": "2026-03-10"})
    assert inverted.status_code == 422 and "before it starts" in inverted.text
    listed = await env.client.get(
        "/api/v1/reports/templates", headers=await env.token("ben@night.example.com")
    )
    assert "login_logout" in {t["name"] for t in listed.json()}


async def test_the_command_line_runs_it(env: Env, night: dict[str, str], tmp_path: Path) -> None:
    done = omnivox(
        env,
        tmp_path,
        "run",
        *("--org", "night", "--template", "login_logout"),
        *("--from", "2026-03-11", "--to", "2026-03-11", "--format", "json"),
    )
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert [(r["agent"], r["sessions"], r["still_logged_in"]) for r in rows] == [
        ("ann", 2, False),
        ("ben", 1, True),
    ]


async def _team(env: Env, org: str, name: str, members: list[str]) -> str:
    async with env.sessions() as s:
        actor = Principal.system(org)
        team = await teams.create_team(s, actor, TeamCreate(name=name))
        await teams.set_team_members(s, actor, team.id, TeamMembersWrite(user_ids=members))
        return team.id


@pytest.fixture
async def shifts(env: Env, night: dict[str, str]) -> dict[str, str]:
    """The teams of the module's note; Sue's organisation bounds supervisors by team."""
    sue = await env.user(night["org"], "sue@night.example.com", Role.SUPERVISOR)
    late = await _team(env, night["org"], "Late shift", [night["ann"], sue])
    early = await _team(env, night["org"], "Early shift", [night["ben"]])
    rival = await env.org("rival")
    eve = await env.user(rival, "eve@rival.example.com", Role.AGENT)
    elsewhere = await _team(env, rival, "Late shift", [eve])
    async with env.sessions() as s:
        org = await s.get(Organization, night["org"])
        assert org is not None
        org.supervisor_scope = "teams"
        await s.commit()
    return {"late": late, "early": early, "elsewhere": elsewhere}


def _who(resp: Any) -> list[tuple[str, str]]:
    assert resp.status_code == 200, resp.text
    return [(r["day"], r["agent"]) for r in resp.json()["rows"]]


async def test_a_team_filter_narrows_to_the_teams_agents(
    env: Env, night: dict[str, str], shifts: dict[str, str]
) -> None:
    days = {"from": "2026-03-10", "to": "2026-03-11"}
    # By name (in any case) or by id, as in every report.
    late = await _run(env, "boss", **days, filter="team=late SHIFT")
    assert _who(late) == [("2026-03-10", "ann"), ("2026-03-11", "ann")]
    early = await _run(env, "boss", **days, filter=f"team={shifts['early']}")
    assert _who(early) == [("2026-03-11", "ben")]
    # With an agent too: the agent's rows within the team, none for one outside it.
    both = await _run(
        env, "boss", **days, filter=["team=Late shift", "agent=ann@night.example.com"]
    )
    assert _who(both) == [("2026-03-10", "ann"), ("2026-03-11", "ann")]
    apart = await _run(
        env, "boss", **days, filter=["team=Late shift", "agent=ben@night.example.com"]
    )
    assert _who(apart) == []
    for team, said in (
        ("Nowhere", "no team 'Nowhere' in this organisation"),
        (shifts["elsewhere"], f"no team {shifts['elsewhere']!r} in this organisation"),
    ):
        refused = await _run(env, "boss", **days, filter=f"team={team}")
        assert refused.status_code == 422 and said in refused.json()["detail"]


async def test_a_supervisor_bounded_by_team_may_name_only_their_teams(
    env: Env, night: dict[str, str], shifts: dict[str, str]
) -> None:
    days = {"from": "2026-03-10", "to": "2026-03-11"}
    everyone_theirs = await _run(env, "sue", **days)
    assert _who(everyone_theirs) == [("2026-03-10", "ann"), ("2026-03-11", "ann")]
    mine = await _run(env, "sue", **days, filter="team=Late shift")
    assert _who(mine) == [("2026-03-10", "ann"), ("2026-03-11", "ann")]
    theirs = await _run(env, "sue", **days, filter="team=Early shift")
    assert theirs.status_code == 403
    assert "team " + shifts["early"] + " is outside your reach" in theirs.json()["detail"]
    # Another organisation's team is not theirs to name at all: unknown, not forbidden.
    other = await _run(env, "sue", **days, filter=f"team={shifts['elsewhere']}")
    assert other.status_code == 422 and "no team" in other.json()["detail"]
    # An agent may name a team of their own alone (it holds only their figures).
    bens = await _run(env, "ben", **days, filter="team=Early shift")
    assert _who(bens) == [("2026-03-11", "ben")]
    assert (await _run(env, "ben", **days, filter="team=Late shift")).status_code == 403


async def test_the_page_and_the_command_line_take_a_team(
    env: Env, night: dict[str, str], shifts: dict[str, str], tmp_path: Path
) -> None:
    headers = await env.token("boss@night.example.com", whole_role=True)
    params = {"template": "login_logout", "from": "2026-03-11", "to": "2026-03-11"}
    page = await env.client.get(
        "/reports", params=params | {"filter": f"team={shifts['early']}"}, headers=headers
    )
    assert page.status_code == 200, page.text
    table = page.text.split('data-testid="report-table"', 1)[1].split("</table>", 1)[0]
    assert "<td>ben</td>" in table and "<td>ann</td>" not in table
    assert f'<option value="team={shifts["early"]}" selected' in page.text

    args = ("run", "--org", "night", "--template", "login_logout")
    args += ("--from", "2026-03-11", "--to", "2026-03-11")
    done = omnivox(env, tmp_path, *args, "--filter", "team=Late shift")
    assert done.returncode == 0, done.stderr
    assert [(r["agent"], r["sessions"]) for r in json.loads(done.stdout)] == [("ann", 2)]
    refused = omnivox(env, tmp_path, *args, "--filter", "team=Nowhere")
    assert refused.returncode != 0 and "no team 'Nowhere' in this organisation" in refused.stderr
