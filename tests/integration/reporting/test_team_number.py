"""Reports split and filtered by team and by the organisation's number a call used, the
logins and logouts metrics, and money in the currency's minor units, each figure worked
out by hand from the calls below; drill links from a team or number row list exactly
the calls the row counts. SQLite and PostgreSQL.

Teams: North = Alice, Bob; South = Bob, Carol (Bob is in both); Dave is in none.
Numbers: +14155550199 "Main line" and +14155550198 "Second line" (inbound),
+14155550100 (caller ID, no friendly name).

======  ========  =====  =====  ==============  =============================
call    at        dir    agent  number          outcome
======  ========  =====  =====  ==============  =============================
1       09:00     in     Alice  Main line       handled, SALE 12.345 KWD
2       09:10     in     Bob    Main line       handled
3       09:20     in     Carol  Second line     handled
4       09:30     in     —      Main line       abandoned
5       10:00     out    Dave   +14155550100    connect
6       10:10     out    Bob    +14155550100    connect
7       10:20     out    —      +14155550100    machine
======  ========  =====  =====  ==============  =============================

By team: North 1, 2, 6 (3 calls); South 2, 3, 6 (3); (no team) 4, 5, 7 (3): 9 > 7,
because Bob's calls count in both of his teams.
Agent states: Alice logs in at 08:00, breaks 08:30-09:00, logs out at 12:00, in again
13:00, out 14:00 (5 h logged in, 2 logins, 2 logouts); Bob logs in at 08:05 and is still
in (1 login, no closed time).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select, update
from tests.integration.reporting.script import Inbound, Outbound, insert_call, insert_states
from tests.integration.reporting.test_reports_cli import omnivox
from tests.support import Env

from omnivox.accounts import Organization
from omnivox.accounts.models import Team, TeamMember
from omnivox.core.errors import InvalidInput
from omnivox.core.security.permissions import Role
from omnivox.reporting import ReportRequest, rebuild, run_report
from omnivox.reporting.drill import drill_links
from omnivox.reporting.models import ReportNumber
from omnivox.reporting.names import org_numbers
from omnivox.reporting.service import ReportAsk
from omnivox.routing import InboundNumber, Queue
from omnivox.telephony import Call

D = date(2026, 3, 10)
MAIN, SECOND, CALLER_ID = "+14155550199", "+14155550198", "+14155550100"


def _at(hh: int, mm: int = 0) -> datetime:
    return datetime(2026, 3, 10, hh, mm, tzinfo=UTC)


@dataclass
class Floor:
    org_id: str
    other_org: str
    alice: str
    bob: str
    carol: str
    dave: str
    north: str
    south: str
    elsewhere: str  # another organisation's team
    calls: dict[int, str]


async def _team(env: Env, org_id: str, name: str, members: list[str]) -> str:
    async with env.sessions() as s:
        team = Team(organization_id=org_id, name=name)
        s.add(team)
        await s.flush()
        s.add_all(TeamMember(team_id=team.id, user_id=u) for u in members)
        await s.commit()
        return team.id


@pytest.fixture
async def floor(env: Env) -> Floor:
    return await build_floor(env)


async def build_floor(env: Env) -> Floor:
    """The calls, teams, numbers and agent states of the module's table, rebuilt into
    the rollups."""
    org_id = await env.org("dims")
    other = await env.org("rival")
    alice, bob, carol, dave = [
        await env.user(org_id, f"{n}@dims.example.com", Role.AGENT)
        for n in ("alice", "bob", "carol", "dave")
    ]
    north = await _team(env, org_id, "North", [alice, bob])
    south = await _team(env, org_id, "South", [bob, carol])
    rival_agent = await env.user(other, "eve@rival.example.com", Role.AGENT)
    elsewhere = await _team(env, other, "North", [rival_agent])
    async with env.sessions() as s:
        await s.execute(
            update(Organization).where(Organization.id == org_id).values(currency="KWD")
        )
        queue = Queue(organization_id=org_id, name="Support")
        rival_queue = Queue(organization_id=other, name="Support")
        s.add_all([queue, rival_queue])
        await s.flush()
        for number, name, owner, q in (
            (MAIN, "Main line", org_id, queue.id),
            (SECOND, "Second line", org_id, queue.id),
            ("+14155550177", "Rival line", other, rival_queue.id),
        ):
            s.add(
                InboundNumber(
                    organization_id=owner,
                    number=number,
                    friendly_name=name,
                    target_kind="queue",
                    target_id=q,
                )
            )
        inbound, outbound = ("queue", queue.id), ("campaign", "camp")
        script: list[tuple[Inbound | Outbound, tuple[str, str], str | None, str]] = [
            (
                Inbound(_at(9), 5, 60, disposition="SALE", sale_amount=Decimal("12.345")),
                inbound,
                alice,
                MAIN,
            ),
            (Inbound(_at(9, 10), 5, 60), inbound, bob, MAIN),
            (Inbound(_at(9, 20), 5, 60), inbound, carol, SECOND),
            (Inbound(_at(9, 30), 30, abandon=True), inbound, None, MAIN),
            (Outbound(_at(10), 5, 60), outbound, dave, CALLER_ID),
            (Outbound(_at(10, 10), 5, 60), outbound, bob, CALLER_ID),
            (Outbound(_at(10, 20), 5, machine=True), outbound, None, CALLER_ID),
        ]
        calls = {}
        for n, (spec, kind, agent, number) in enumerate(script, start=1):
            call_id = await insert_call(s, org_id, spec, owner=kind, agent_id=agent or alice)
            field = Call.to_number if isinstance(spec, Inbound) else Call.from_number
            await s.execute(update(Call).where(Call.id == call_id).values({field: number}))
            calls[n] = call_id
        await insert_states(
            s,
            org_id,
            alice,
            [
                (_at(8), "available", None),
                (_at(8, 30), "break", "lunch"),
                (_at(9), "available", None),
                (_at(12), "offline", None),
                (_at(13), "available", None),
                (_at(14), "offline", None),
            ],
        )
        await insert_states(s, org_id, bob, [(_at(8, 5), "available", None)])
        await s.commit()
    async with env.sessions() as s:
        await rebuild(s, org_id, _at(0), _at(23, 59))
        await s.commit()
    return Floor(org_id, other, alice, bob, carol, dave, north, south, elsewhere, calls)


async def _rows(
    env: Env,
    floor: Floor,
    metrics: tuple[str, ...],
    by: tuple[str, ...] = (),
    filters: dict[str, str] | None = None,
    agents: frozenset[str] | None = None,
) -> list[dict[str, Any]]:
    ask = ReportRequest(metrics, D, D, by, filters or {})
    async with env.sessions() as s:
        return (await run_report(s, floor.org_id, ask, env.settings, agents)).rows


async def test_a_team_row_holds_its_agents_calls_and_a_shared_agent_counts_in_both(
    env: Env, floor: Floor
) -> None:
    rows = await _rows(env, floor, ("calls", "calls_with_agent", "calls_abandoned"), ("team",))
    by_team = {r["team"]: (r["team_id"], r["calls"], r["calls_with_agent"]) for r in rows}
    assert by_team == {
        "North": (floor.north, 3, 3),
        "South": (floor.south, 3, 3),
        "(no team)": (None, 3, 1),  # Dave's call and the two no agent took
    }
    [total] = await _rows(env, floor, ("calls",))
    assert total["calls"] == 7 < sum(r["calls"] for r in rows) == 9

    # A team filter narrows to its agents; by name or id alike.
    north = await _rows(env, floor, ("calls", "outbound_dials"), filters={"team": "north"})
    assert north == [{"calls": 3, "outbound_dials": 1}]
    by_id = await _rows(env, floor, ("calls",), ("agent",), {"team": floor.south})
    assert {r["agent"]: r["calls"] for r in by_id} == {"bob": 2, "carol": 1}


async def test_split_and_filtered_by_the_number_a_call_used(env: Env, floor: Floor) -> None:
    rows = await _rows(
        env, floor, ("calls", "calls_offered", "calls_abandoned", "outbound_dials"), ("number",)
    )
    columns = ("number", "calls", "calls_offered", "calls_abandoned", "outbound_dials")
    found = {r["number_id"]: tuple(r[c] for c in columns) for r in rows}
    assert found == {
        MAIN: ("Main line", 3, 3, 1, 0),
        SECOND: ("Second line", 1, 1, 0, 0),
        CALLER_ID: (CALLER_ID, 3, 0, 0, 3),  # no friendly name: the number itself
    }
    # By its friendly name or the number, crossed with a team.
    main = await _rows(env, floor, ("calls",), ("team",), {"number": "Main Line"})
    assert {r["team"]: r["calls"] for r in main} == {"North": 2, "South": 1, "(no team)": 1}
    assert await _rows(env, floor, ("calls",), filters={"number": SECOND}) == [{"calls": 1}]


async def test_logins_and_logouts_count_where_they_happened(env: Env, floor: Floor) -> None:
    rows = await _rows(env, floor, ("logins", "logouts", "time_logged_in"), ("agent",))
    assert {r["agent"]: (r["logins"], r["logouts"], r["time_logged_in"]) for r in rows} == {
        "alice": (2, 2, 5 * 3600.0),
        "bob": (1, 0, 0.0),  # logged in, nothing closed yet
    }
    alice = await _rows(env, floor, ("logins",), ("agent",), {"agent": floor.alice})
    assert alice == [{"agent": "alice", "agent_id": floor.alice, "logins": 2}]
    ask = ReportRequest(("logins", "logouts"), D, D, ("team",), granularity="hour")
    async with env.sessions() as s:
        per_hour = (await run_report(s, floor.org_id, ask, env.settings)).rows
    counted = {(r["period"][11:16], r["team"]): (r["logins"], r["logouts"]) for r in per_hour}
    assert counted == {
        ("08:00", "North"): (2, 0),  # Alice at 08:00 and Bob at 08:05
        ("08:00", "South"): (1, 0),  # Bob
        ("12:00", "North"): (0, 1),
        ("13:00", "North"): (1, 0),
        ("14:00", "North"): (0, 1),
    }


async def test_revenue_keeps_the_currencys_three_decimals(env: Env, floor: Floor) -> None:
    assert await _rows(env, floor, ("revenue", "conversions")) == [
        {"revenue": 12.345, "conversions": 1}
    ]


async def test_drill_links_of_team_and_number_rows_list_exactly_their_calls(
    env: Env, floor: Floor
) -> None:
    await env.user(floor.org_id, "boss@dims.example.com", Role.ORG_ADMIN)
    headers = await env.token("boss@dims.example.com")
    for by, metric in (("team", "calls"), ("number", "calls"), ("number", "calls_abandoned")):
        ask = ReportAsk(start=D, end=D, metrics=(metric,), by=(by,))
        async with env.sessions() as s:
            result = await run_report(
                s, floor.org_id, ReportRequest(ask.metrics, D, D, ask.by), env.settings
            )
        links = drill_links(result, ask)
        for row, link in zip(result.rows, links, strict=True):
            if row[f"{by}_id"] is None or not row[metric]:
                assert link == {}  # "(no team)" is not a filter the page takes; 0 no list
                continue
            query = {k: v[0] for k, v in parse_qs(urlsplit(link[metric]).query).items()}
            listed = await env.client.get("/api/v1/reports/calls", params=query, headers=headers)
            assert listed.status_code == 200, listed.text
            assert listed.json()["total"] == row[metric], (by, row)
    # North's calls are exactly 1, 2 and 6.
    north = await env.client.get(
        "/api/v1/reports/calls",
        params={"from": "2026-03-10", "to": "2026-03-10", "team": floor.north},
        headers=headers,
    )
    assert {r["call_id"] for r in north.json()["rows"]} == {
        floor.calls[1],
        floor.calls[2],
        floor.calls[6],
    }


async def test_bad_teams_and_numbers_are_refused_saying_why(env: Env, floor: Floor) -> None:
    cases = [
        ({"team": "Nowhere"}, "no team 'Nowhere' in this organisation"),
        ({"team": floor.elsewhere}, f"no team {floor.elsewhere!r} in this organisation"),
        ({"number": "+14155550177"}, "no number '+14155550177' in this organisation"),
    ]
    for filters, message in cases:
        with pytest.raises(InvalidInput) as refused:
            await _rows(env, floor, ("calls",), filters=filters)
        assert message in refused.value.detail
    with pytest.raises(InvalidInput) as split:
        await _rows(env, floor, ("time_logged_in",), ("number",))
    assert "cannot be split by 'number'" in split.value.detail
    with pytest.raises(InvalidInput) as narrowed:
        await _rows(env, floor, ("logins",), filters={"number": MAIN})
    assert "cannot be filtered by 'number'" in narrowed.value.detail


async def test_a_team_bounded_supervisor_may_filter_by_their_team_only(
    env: Env, floor: Floor
) -> None:
    sam = await env.user(floor.org_id, "sam@dims.example.com", Role.SUPERVISOR)
    await env.bound_to_teams(floor.org_id, [sam], floor.north)
    headers = await env.token("sam@dims.example.com")
    params: dict[str, Any] = {"metrics": "calls", "by": "team", "from": "2026-03-10"}
    params["to"] = "2026-03-10"
    mine = await env.client.get(
        "/api/v1/reports/run", params=params | {"filter": "team=North"}, headers=headers
    )
    assert mine.status_code == 200, mine.text
    assert [(r["team"], r["calls"]) for r in mine.json()["rows"]] == [("North", 3)]
    theirs = await env.client.get(
        "/api/v1/reports/run", params=params | {"filter": "team=South"}, headers=headers
    )
    assert theirs.status_code == 403
    assert "outside your reach" in theirs.text
    records = await env.client.get(
        "/api/v1/reports/calls",
        params={"from": "2026-03-10", "to": "2026-03-10", "team": "South"},
        headers=headers,
    )
    assert records.status_code == 403 and "outside your reach" in records.text
    # Not a PermissionDenied for another tenant's team: it is simply not theirs to name.
    other = await env.client.get(
        "/api/v1/reports/run",
        params=params | {"filter": f"team={floor.elsewhere}"},
        headers=headers,
    )
    assert other.status_code == 422 and "no team" in other.text


async def test_the_numbers_counted_calls_used_are_kept_apart_for_the_builder(
    env: Env, floor: Floor
) -> None:
    """The builder's number list and a number filter read ``report_numbers`` (kept by the
    upkeep with the cells), not every row of the finest rollup: a caller ID no longer
    configured anywhere still lists, once, and a recount adds no second row."""
    async with env.sessions() as s:
        kept = (
            await s.scalars(
                select(ReportNumber.number).where(ReportNumber.organization_id == floor.org_id)
            )
        ).all()
        assert sorted(kept) == sorted([MAIN, SECOND, CALLER_ID])
        await rebuild(s, floor.org_id, _at(0), _at(23, 59))  # the same calls counted again
        await s.commit()
        again = await s.scalars(
            select(ReportNumber.number).where(ReportNumber.organization_id == floor.org_id)
        )
        assert sorted(again.all()) == sorted(kept)
        listed = await org_numbers(s, floor.org_id)
    assert listed[CALLER_ID] == CALLER_ID and listed[MAIN] == "Main line"
    assert "+14155550177" not in listed  # another organisation's number


async def test_the_builder_offers_teams_and_numbers_and_runs_them(env: Env, floor: Floor) -> None:
    await env.user(floor.org_id, "boss@dims.example.com", Role.ORG_ADMIN)
    headers = await env.token("boss@dims.example.com", whole_role=True)
    blank = await env.client.get("/reports", headers=headers)
    assert blank.status_code == 200
    assert 'name="by" value="team"' in blank.text and 'name="by" value="number"' in blank.text
    assert f'<option value="team={floor.north}"' in blank.text
    assert (
        f'<option value="number={MAIN}"' in blank.text and "Main line (+14155550199)" in blank.text
    )
    assert "Rival line" not in blank.text and floor.elsewhere not in blank.text

    page = await env.client.get(
        "/reports",
        params={
            "metrics": "calls",
            "by": ["team", "number"],
            "from": "2026-03-10",
            "to": "2026-03-10",
            "range": "custom",
            "filter": [f"team={floor.north}", ""],
        },
        headers=headers,
    )
    assert page.status_code == 200, page.text
    assert f'<option value="team={floor.north}" selected' in page.text
    assert "Main line" in page.text and f"team={floor.north}" in page.text
    assert "/reports/calls?" in page.text and "org_number=%2B14155550199" in page.text
    # Saved with the team filter, it runs again from the saved definition.
    definition: dict[str, Any] = {"metrics": ["calls"], "by": ["team", "number"]}
    definition["range"] = "custom"
    definition |= {"from": "2026-03-10", "to": "2026-03-10", "filters": {"team": "North"}}
    saved = await env.client.post(
        "/api/v1/reports/saved",
        json={"name": "North by number", "definition": definition},
        headers=headers,
    )
    assert saved.status_code == 201, saved.text
    report_id = saved.json()["id"]
    ran = await env.client.get(f"/api/v1/reports/saved/{report_id}/run", headers=headers)
    assert {(r["team"], r["number_id"], r["calls"]) for r in ran.json()["rows"]} == {
        ("North", MAIN, 2),
        ("North", CALLER_ID, 1),
    }
    shown = await env.client.get("/reports", params={"saved": report_id}, headers=headers)
    assert shown.status_code == 200 and f'<option value="team={floor.north}" selected' in shown.text


async def test_the_command_line_splits_and_filters_by_team(sqlite_env: Env, tmp_path: Path) -> None:
    floor = await build_floor(sqlite_env)
    dates = ("--org", "dims", "--from", "2026-03-10", "--to", "2026-03-10")
    ran = omnivox(
        sqlite_env,
        tmp_path,
        "run",
        *dates,
        "--metrics",
        "calls,logins",
        "--by",
        "team",
        "--filter",
        f"team={floor.north}",
    )
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout) == [
        {"team": "North", "team_id": floor.north, "calls": 3, "logins": 3}
    ]
    refused = omnivox(
        sqlite_env, tmp_path, "run", *dates, "--metrics", "calls", "--filter", "team=Nowhere"
    )
    assert refused.returncode != 0 and "no team 'Nowhere'" in refused.stderr
