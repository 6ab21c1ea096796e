"""Saved custom reports and dashboards: saved under a name, shared with roles, run as
whoever opens them; bad definitions refused at save time; nothing crosses tenants."""

from __future__ import annotations

import asyncio
import html
import re
from datetime import UTC, date, datetime
from typing import Any

import pytest
from tests.integration.reporting.test_reports_api import _shift
from tests.support import Env

from omnivox.core.security.permissions import Role
from omnivox.reporting.ranges import resolve_range

DAY = {"from": "2026-03-10", "to": "2026-03-10"}
BY_AGENT: dict[str, Any] = {
    "name": "Agents' talk",
    "definition": {
        "metrics": ["calls_with_agent", "talk_time"],
        "by": ["agent"],
        "range": "custom",
        **DAY,
    },
}


async def _people(env: Env) -> tuple[str, dict[str, str], dict[str, str]]:
    shift = await _shift(env)
    await env.user(shift.org_id, "boss@acme.example.com", Role.ORG_ADMIN)
    return (
        shift.org_id,
        await env.token("boss@acme.example.com"),
        await env.token("alice@acme.example.com"),
    )


async def test_a_saved_report_shared_with_agents_shows_each_agent_their_own(env: Env) -> None:
    _org, boss, alice = await _people(env)
    created = await env.client.post(
        "/api/v1/reports/saved", json=BY_AGENT | {"shared_roles": ["agent"]}, headers=boss
    )
    assert created.status_code == 201, created.text
    report_id = created.json()["id"]

    mine = await env.client.get(f"/api/v1/reports/saved/{report_id}/run", headers=boss)
    assert mine.status_code == 200
    assert {r["agent"]: r["calls_with_agent"] for r in mine.json()["rows"]} == {
        "alice": 3,
        "bob": 2,
        None: 0,  # the calls no agent took
    }
    # Alice opens the same definition and sees her own figures only.
    listed = await env.client.get("/api/v1/reports/saved", headers=alice)
    assert [r["name"] for r in listed.json()] == ["Agents' talk"]
    hers = await env.client.get(f"/api/v1/reports/saved/{report_id}/run", headers=alice)
    assert [(r["agent"], r["calls_with_agent"]) for r in hers.json()["rows"]] == [("alice", 3)]
    # Shared is not owned: she may not change or delete it.
    changed = await env.client.put(
        f"/api/v1/reports/saved/{report_id}", json=BY_AGENT | {"name": "Mine"}, headers=alice
    )
    assert changed.status_code == 403
    assert (
        await env.client.delete(f"/api/v1/reports/saved/{report_id}", headers=alice)
    ).status_code == 403

    # Unshared: gone from her list and not found for her; the owner still has it.
    unshared = await env.client.put(
        f"/api/v1/reports/saved/{report_id}", json=BY_AGENT, headers=boss
    )
    assert unshared.status_code == 200 and unshared.json()["shared_roles"] == []
    assert (await env.client.get("/api/v1/reports/saved", headers=alice)).json() == []
    gone = await env.client.get(f"/api/v1/reports/saved/{report_id}/run", headers=alice)
    assert gone.status_code == 404


@pytest.mark.parametrize(
    ("definition", "says"),
    [
        ({"metrics": ["calls", "nope"]}, "unknown metric 'nope'"),
        ({"metrics": ["calls"], "by": ["colour"]}, "unknown dimension 'colour'"),
        ({"metrics": ["talk_time"], "filters": {"queue": "Theirs"}}, "Theirs"),
        (
            {"metrics": ["calls"], "range": "custom", "from": "2026-03-10", "to": "2026-03-01"},
            "before it starts",
        ),
        (
            {"metrics": ["calls"], "range": "custom", "from": "2016-03-10", "to": "2026-03-01"},
            "OMNIVOX_REPORT_MAX_DAYS",
        ),
        ({"metrics": ["calls"], "range": "fortnight"}, "unknown range 'fortnight'"),
        ({"template": "nope"}, "unknown template 'nope'"),
        ({"metrics": ["calls"], "colour": "red"}, "colour"),
    ],
)
async def test_a_definition_that_would_not_run_is_refused_when_saved(
    sqlite_env: Env, definition: dict[str, Any], says: str
) -> None:
    env = sqlite_env
    _org, boss, _alice = await _people(env)
    other = await env.org("other")
    async with env.sessions() as s:
        from omnivox.routing import Queue

        s.add(Queue(organization_id=other, name="Theirs"))
        await s.commit()
    resp = await env.client.post(
        "/api/v1/reports/saved", json={"name": "Bad", "definition": definition}, headers=boss
    )
    assert 400 <= resp.status_code < 500, resp.text
    assert says in resp.text
    assert (await env.client.get("/api/v1/reports/saved", headers=boss)).json() == []


async def test_names_are_unique_per_person_and_the_count_is_limited(sqlite_env: Env) -> None:
    env = sqlite_env
    _org, boss, alice = await _people(env)
    assert (
        await env.client.post("/api/v1/reports/saved", json=BY_AGENT, headers=boss)
    ).status_code == 201
    again = await env.client.post(
        "/api/v1/reports/saved", json=BY_AGENT | {"name": "agents' TALK"}, headers=boss
    )
    assert again.status_code == 409 and "exists already" in again.json()["detail"]
    # Another person may use the same name.
    assert (
        await env.client.post("/api/v1/reports/saved", json=BY_AGENT, headers=alice)
    ).status_code == 201
    env.settings.saved_reports_max_per_user = 1
    over = await env.client.post(
        "/api/v1/reports/saved", json=BY_AGENT | {"name": "Second"}, headers=boss
    )
    assert over.status_code == 422 and "OMNIVOX_SAVED_REPORTS_MAX_PER_USER" in over.text


async def test_a_relative_range_follows_the_calendar(sqlite_env: Env) -> None:
    env = sqlite_env
    _org, boss, _alice = await _people(env)
    env.clock.set(datetime(2026, 3, 11, 9, tzinfo=UTC))
    body = {"name": "Yesterday", "definition": {"metrics": ["calls"], "range": "yesterday"}}
    report_id = (await env.client.post("/api/v1/reports/saved", json=body, headers=boss)).json()[
        "id"
    ]
    run = await env.client.get(f"/api/v1/reports/saved/{report_id}/run", headers=boss)
    assert run.json()["rows"] == [{"calls": 9}]
    env.clock.set(datetime(2026, 3, 12, 9, tzinfo=UTC))  # the shift is two days ago now
    run = await env.client.get(f"/api/v1/reports/saved/{report_id}/run", headers=boss)
    assert run.json()["rows"] == [{"calls": 0}]
    # An explicit range overrides the saved one.
    run = await env.client.get(
        f"/api/v1/reports/saved/{report_id}/run", params=DAY | {"format": "csv"}, headers=boss
    )
    assert run.text.splitlines() == ["calls", "9"]


def test_named_ranges() -> None:
    today = date(2026, 3, 4)  # a Wednesday
    assert resolve_range("last_7_days", today) == (date(2026, 2, 26), today)
    assert resolve_range("this_week", today) == (date(2026, 3, 2), today)
    assert resolve_range("last_week", today) == (date(2026, 2, 23), date(2026, 3, 1))
    assert resolve_range("last_month", today) == (date(2026, 2, 1), date(2026, 2, 28))
    assert resolve_range("this_month", today) == (date(2026, 3, 1), today)
    assert resolve_range("last_month", date(2026, 1, 15)) == (date(2025, 12, 1), date(2025, 12, 31))


async def test_another_tenants_saved_report_and_dashboard_are_not_found(sqlite_env: Env) -> None:
    env = sqlite_env
    _org, boss, _alice = await _people(env)
    report_id = (
        await env.client.post(
            "/api/v1/reports/saved", json=BY_AGENT | {"shared_roles": ["org_admin"]}, headers=boss
        )
    ).json()["id"]
    board = await env.client.post(
        "/api/v1/dashboards",
        json={
            "name": "Floor",
            "shared_roles": ["org_admin"],
            "widgets": [{"kind": "table", "report_id": report_id}],
        },
        headers=boss,
    )
    assert board.status_code == 201, board.text
    other = await env.org("other")
    await env.user(other, "them@other.example.com", Role.ORG_ADMIN)
    them = await env.token("them@other.example.com")
    for path in (
        f"/api/v1/reports/saved/{report_id}",
        f"/api/v1/reports/saved/{report_id}/run",
        f"/api/v1/dashboards/{board.json()['id']}",
        f"/api/v1/dashboards/{board.json()['id']}/figures",
    ):
        assert (await env.client.get(path, headers=them)).status_code == 404, path
    assert (await env.client.get("/api/v1/reports/saved", headers=them)).json() == []
    # Nor may they put our report on their dashboard.
    theirs = await env.client.post(
        "/api/v1/dashboards",
        json={"name": "Mine", "widgets": [{"kind": "table", "report_id": report_id}]},
        headers=them,
    )
    assert theirs.status_code == 422 and "widget 1" in theirs.text


async def test_a_dashboard_shows_tables_charts_and_kpis_as_the_viewer(env: Env) -> None:
    _org, boss, alice = await _people(env)
    shared = BY_AGENT | {"shared_roles": ["agent"]}
    report_id = (await env.client.post("/api/v1/reports/saved", json=shared, headers=boss)).json()[
        "id"
    ]
    private = (
        await env.client.post(
            "/api/v1/reports/saved",
            json={
                "name": "Private",
                "definition": {"metrics": ["calls"], "range": "custom", **DAY},
            },
            headers=boss,
        )
    ).json()["id"]
    widgets = [
        {"kind": "kpi", "report_id": report_id, "metric": "calls_with_agent"},
        {"kind": "chart", "report_id": report_id, "metric": "talk_time", "width": 2},
        {"kind": "table", "report_id": private},
    ]
    board = await env.client.post(
        "/api/v1/dashboards",
        json={"name": "Floor", "widgets": widgets, "shared_roles": ["agent"]},
        headers=boss,
    )
    assert board.status_code == 201, board.text
    board_id = board.json()["id"]

    figures = (await env.client.get(f"/api/v1/dashboards/{board_id}/figures", headers=boss)).json()
    assert [f["value"] for f in figures] == [5, None, None]
    assert figures[2]["rows"] == [{"calls": 9}]
    hers = (await env.client.get(f"/api/v1/dashboards/{board_id}/figures", headers=alice)).json()
    assert hers[0]["value"] == 3  # her own calls with an agent
    assert [r["agent"] for r in hers[1]["rows"]] == ["alice"]
    assert "not shared with you" in hers[2]["problem"]  # the private report stays private

    page = await env.client.get(f"/dashboards/{board_id}", headers=alice)
    assert page.status_code == 200
    assert re.search(r'data-testid="kpi-value">3<', page.text)
    assert 'data-testid="widget-chart"' in page.text and "not shared with you" in page.text
    assert 'data-testid="arrange"' not in page.text  # hers to view, not to arrange
    assert (await env.client.get(f"/dashboards/{board_id}/edit", headers=alice)).status_code == 403

    # A KPI over a metric the report does not hold is refused, saying which it holds.
    bad = await env.client.put(
        f"/api/v1/dashboards/{board_id}",
        json={
            "name": "Floor",
            "widgets": [{"kind": "kpi", "report_id": report_id, "metric": "asa"}],
        },
        headers=boss,
    )
    assert bad.status_code == 422 and "calls_with_agent, talk_time" in bad.text
    # Deleting a report leaves its widget saying so, not a broken page.
    await env.client.delete(f"/api/v1/reports/saved/{private}", headers=boss)
    figures = (await env.client.get(f"/api/v1/dashboards/{board_id}/figures", headers=boss)).json()
    assert "deleted" in figures[2]["problem"]


async def test_dashboard_limits_and_arranging(sqlite_env: Env) -> None:
    env = sqlite_env
    _org, boss, _alice = await _people(env)
    report_id = (
        await env.client.post("/api/v1/reports/saved", json=BY_AGENT, headers=boss)
    ).json()["id"]
    created = await env.client.post("/dashboards", data={"name": "Wall"}, headers=boss)
    assert created.status_code == 303
    board_path = created.headers["location"].removesuffix("/edit")
    for kind, metric in (("table", ""), ("kpi", "talk_time")):
        added = await env.client.post(
            f"{board_path}/widgets",
            data={"report_id": report_id, "kind": kind, "metric": metric, "width": "2"},
            headers=boss,
        )
        assert added.status_code == 303, added.text
    moved = await env.client.post(
        f"{board_path}/arrange", data={"position": "2", "action": "up"}, headers=boss
    )
    assert moved.status_code == 303
    board_id = board_path.rsplit("/", 1)[1]
    stored = (await env.client.get(f"/api/v1/dashboards/{board_id}", headers=boss)).json()
    assert [(w["kind"], w["width"]) for w in stored["widgets"]] == [("kpi", 2), ("table", 2)]
    wrong = await env.client.post(
        f"{board_path}/arrange", data={"position": "7", "action": "up"}, headers=boss
    )
    assert wrong.status_code == 422 and "no widget 7" in wrong.text
    env.settings.dashboard_max_widgets = 2
    over = await env.client.post(
        f"{board_path}/widgets", data={"report_id": report_id, "kind": "table"}, headers=boss
    )
    assert over.status_code == 422 and "OMNIVOX_DASHBOARD_MAX_WIDGETS" in over.text
    stored = (await env.client.get(f"/api/v1/dashboards/{board_id}", headers=boss)).json()
    assert len(stored["widgets"]) == 2  # the refused widget lost nothing already there


async def test_the_page_saves_reloads_and_drills_down(sqlite_env: Env) -> None:
    env = sqlite_env
    _org, boss, _alice = await _people(env)
    built = await env.client.get(
        "/reports",
        params={"metrics": ["calls_offered", "asa"], "by": ["queue"], "range": "custom", **DAY},
        headers=boss,
    )
    assert built.status_code == 200 and 'data-testid="report-chart"' in built.text
    # The count links to the calls behind it: the same period, queue and direction.
    links = re.findall(r'href="(/reports/calls\?[^"]+)"[^>]*data-testid="drill"', built.text)
    assert links and all("direction=inbound" in link for link in links)
    assert any("queue=" in link and "from=2026-03-10" in link for link in links)
    followed = await env.client.get(html.unescape(links[0]), headers=boss)
    assert followed.status_code == 200 and 'data-testid="calls-table"' in followed.text
    saved = await env.client.post(
        "/reports/saved",
        data={
            "name": "Queues",
            "metrics": ["calls_offered", "asa"],
            "by": ["queue"],
            "range": "custom",
            **DAY,
            "shared_roles": ["supervisor"],
        },
        headers=boss,
    )
    assert saved.status_code == 303
    reloaded = await env.client.get(saved.headers["location"], headers=boss)
    assert 'data-testid="saved-name">Queues<' in reloaded.text
    assert 'value="asa" checked' in reloaded.text and 'value="queue" checked' in reloaded.text
    assert 'data-testid="report-table"' in reloaded.text
    clash = await env.client.post(
        "/reports/saved", data={"name": "Queues", "metrics": "calls"}, headers=boss
    )
    assert clash.status_code == 409 and "exists already" in clash.text


async def test_saving_at_the_same_moment_never_loses_a_change_or_fails_with_500(env: Env) -> None:
    _org, boss, _alice = await _people(env)
    same = await asyncio.gather(
        *[env.client.post("/api/v1/reports/saved", json=BY_AGENT, headers=boss) for _ in range(2)]
    )
    assert sorted(r.status_code for r in same) == [201, 409], [r.text for r in same]
    report_id = next(r.json()["id"] for r in same if r.status_code == 201)
    board_id = (
        await env.client.post("/api/v1/dashboards", json={"name": "B"}, headers=boss)
    ).json()["id"]
    added = await asyncio.gather(
        *[
            env.client.post(
                f"/dashboards/{board_id}/widgets",
                data={"report_id": report_id, "kind": "table"},
                headers=boss,
            )
            for _ in range(2)
        ]
    )
    stored = (await env.client.get(f"/api/v1/dashboards/{board_id}", headers=boss)).json()
    # Either both were kept, or the one that lost the race was told so (409), never a
    # silent loss of the first.
    codes = sorted(r.status_code for r in added)
    assert (codes, len(stored["widgets"])) in (([303, 303], 2), ([303, 409], 1)), codes


async def test_a_report_unshared_later_does_not_lock_its_dashboard(sqlite_env: Env) -> None:
    env = sqlite_env
    org, boss, _alice = await _people(env)
    await env.user(org, "sue@acme.example.com", Role.SUPERVISOR)
    sue = await env.token("sue@acme.example.com")
    shared = await env.client.post(
        "/api/v1/reports/saved", json=BY_AGENT | {"shared_roles": ["supervisor"]}, headers=boss
    )
    own = await env.client.post(
        "/api/v1/reports/saved", json=BY_AGENT | {"name": "Mine"}, headers=sue
    )
    widgets = [
        {"kind": "table", "report_id": shared.json()["id"]},
        {"kind": "table", "report_id": own.json()["id"]},
    ]
    board = await env.client.post(
        "/api/v1/dashboards",
        json={"name": "B", "widgets": widgets, "shared_roles": ["org_admin"]},
        headers=sue,
    )
    assert board.status_code == 201, board.text
    board_id = board.json()["id"]
    assert (
        await env.client.put(
            f"/api/v1/reports/saved/{shared.json()['id']}", json=BY_AGENT, headers=boss
        )
    ).status_code == 200
    # Sue no longer sees the first report: she can still rename and arrange her dashboard.
    renamed = await env.client.put(
        f"/api/v1/dashboards/{board_id}",
        json={"name": "Renamed", "widgets": widgets, "shared_roles": ["org_admin"]},
        headers=sue,
    )
    assert renamed.status_code == 200, renamed.text
    moved = await env.client.post(
        f"/dashboards/{board_id}/arrange", data={"position": "2", "action": "up"}, headers=sue
    )
    assert moved.status_code == 303, moved.text
    # An administrator may manage it though Sue's own report is not shared with them.
    admin = await env.client.put(
        f"/api/v1/dashboards/{board_id}",
        json={"name": "Tidied", "widgets": list(reversed(widgets))},
        headers=boss,
    )
    assert admin.status_code == 200, admin.text
    # Adding a widget over a report the editor cannot open is still refused.
    theirs = await env.client.put(
        f"/api/v1/dashboards/{board_id}",
        json={"name": "Tidied", "widgets": [*widgets, {"kind": "table", "report_id": "x" * 32}]},
        headers=sue,
    )
    assert theirs.status_code == 422 and "widget 3" in theirs.text


async def test_a_saved_run_takes_both_dates_or_neither(sqlite_env: Env) -> None:
    env = sqlite_env
    _org, boss, _alice = await _people(env)
    report_id = (
        await env.client.post("/api/v1/reports/saved", json=BY_AGENT, headers=boss)
    ).json()["id"]
    half = await env.client.get(
        f"/api/v1/reports/saved/{report_id}/run", params={"from": "2026-03-10"}, headers=boss
    )
    assert half.status_code == 422 and "both from and to" in half.text
