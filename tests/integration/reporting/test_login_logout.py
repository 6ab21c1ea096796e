"""The login/logout template from raw agent state history, in an organisation on New York
time (EDT, UTC-4, on 10-11 March 2026), through the API like any template. SQLite and
PostgreSQL.

Ann logs in at 22:30 on the 10th and out at 01:15 on the 11th (one session, counted on
the 10th: 2 h 45 min), then 08:00-12:00 and 13:00-13:30 on the 11th (two sessions,
4 h 30 min). Ben's session of the 9th (23:00 to 01:00 on the 10th) began before the
range; he logs in at 09:00 on the 11th and is still logged in: his time runs to the end
of the range (midnight after the 11th: 15 h).
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

from omnivox.core.security.permissions import Role

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
    assert wrong.status_code == 422 and "filtered by agent only" in wrong.text
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
