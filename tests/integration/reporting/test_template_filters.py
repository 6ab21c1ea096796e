"""Filters every report takes, on the templates that read apart from the builder and on the
disposition catalogue, through the API, the page and the command line. SQLite and
PostgreSQL.

- The abandon-rate compliance report counts every call of a campaign, as the regulator
  does: a team or agent filter is refused saying so, never quietly narrowed.
- A disposition filter names a code of the catalogue, one the call state machine sets
  itself, or one calls still hold after it left the catalogue; anything else is refused
  naming it. None of them is looked for in the rollup: a code outside the catalogue and
  the machine's is looked up in ``report_dispositions``, which the upkeep keeps.
- Rows split by team come in the order of the teams' names, not of their ids.

The morning is ``shift.py``'s (Support and Sales queues, Spring and UK campaigns, Alice
and Bob), plus one outbound call a machine answered that the state machine dispositioned
``answering_machine`` (no catalogue code), and a rival organisation whose only call has
its own code ``RIVAL_ONLY``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, event
from tests.integration.reporting.script import Outbound, insert_call
from tests.integration.reporting.shift import Shift, at, build_shift
from tests.integration.reporting.test_reports_cli import omnivox
from tests.integration.reporting.test_team_number import build_floor
from tests.support import Env

from omnivox.accounts import teams
from omnivox.accounts.models import Disposition, Team, TeamMember
from omnivox.accounts.schemas import TeamCreate, TeamMembersWrite
from omnivox.core.errors import InvalidInput
from omnivox.core.security.permissions import Role
from omnivox.core.security.principal import Principal
from omnivox.reporting import rebuild
from omnivox.reporting.names import resolve_filters

RUN = "/api/v1/reports/run"
DAY = {"from": "2026-03-10", "to": "2026-03-10"}
MIDNIGHT, LATE = datetime(2026, 3, 10, tzinfo=UTC), datetime(2026, 3, 10, 23, 59, tzinfo=UTC)


@pytest.fixture
async def shift(env: Env) -> Shift:
    built = await build_shift(env)
    rival = await env.org("rival")
    async with env.sessions() as s:
        machine = Outbound(at(10, 30), 6, machine=True, disposition="answering_machine")
        await insert_call(s, built.org_id, machine, owner=("campaign", built.uk))
        s.add(Disposition(organization_id=rival, code="RIVAL_ONLY", label="Rival", category="sale"))
        theirs = Outbound(at(11, 0), 5, 60, disposition="RIVAL_ONLY")
        await insert_call(s, rival, theirs, owner=("campaign", "theirs"))
        await s.commit()
    async with env.sessions() as s:
        for org in (built.org_id, rival):
            await rebuild(s, org, MIDNIGHT, LATE)
        await s.commit()
    boss = await env.user(built.org_id, "boss@acme.example.com", Role.ORG_ADMIN)
    async with env.sessions() as s:
        actor = Principal.system(built.org_id)
        team = await teams.create_team(s, actor, TeamCreate(name="Morning"))
        members = TeamMembersWrite(user_ids=[built.alice, boss])
        await teams.set_team_members(s, actor, team.id, members)
    return built


async def _get(env: Env, **params: Any) -> Any:
    headers = await env.token("boss@acme.example.com", whole_role=True)
    return await env.client.get(RUN, params={**DAY, **params}, headers=headers)


# -- compliance ---------------------------------------------------------------------------


async def test_compliance_refuses_a_team_or_agent_filter_saying_why(
    env: Env, shift: Shift, tmp_path: Path
) -> None:
    compliance = {"template": "abandon_compliance"}
    for given, key in (("team=Morning", "team"), ("agent=alice@acme.example.com", "agent")):
        refused = await _get(env, **compliance, filter=["campaign=Spring", "queue=Support", given])
        assert refused.status_code == 422, refused.text
        detail = refused.json()["detail"]
        assert "counts every call of a campaign" in detail
        assert f"takes no {key} filter" in detail and "by campaign only" in detail
    queue = await _get(env, **compliance, filter="queue=Support")
    assert queue.status_code == 422
    assert "filtered by campaign only, not queue" in queue.json()["detail"]
    # Filtered by campaign, it runs: the campaign's window over every call it made.
    spring = await _get(env, **compliance, filter="campaign=spring")
    assert spring.status_code == 200, spring.text
    [row] = spring.json()["rows"]
    assert (row["campaign"], row["live_answers"], row["outbound_abandoned"]) == ("Spring", 3, 1)
    unknown = await _get(env, **compliance, filter="campaign=Winter")
    assert unknown.status_code == 422 and "no campaign 'Winter'" in unknown.json()["detail"]

    headers = await env.token("boss@acme.example.com", whole_role=True)
    page = await env.client.get(
        "/reports", params={**DAY, **compliance, "filter": "team=Morning"}, headers=headers
    )
    assert page.status_code == 422 and 'data-testid="report-error"' in page.text
    assert "counts every call of a campaign" in page.text and "takes no team filter" in page.text

    ran = omnivox(
        env,
        tmp_path,
        *("run", "--org", "acme", "--from", "2026-03-10", "--to", "2026-03-10"),
        *("--template", "abandon_compliance", "--filter", "team=Morning"),
    )
    assert ran.returncode != 0 and ran.stdout == ""
    assert "counts every call of a campaign" in ran.stderr and "takes no team filter" in ran.stderr


async def test_a_supervisor_bounded_by_team_still_may_not_run_compliance(
    env: Env, shift: Shift
) -> None:
    sue = await env.user(shift.org_id, "sue@acme.example.com", Role.SUPERVISOR)
    await env.bound_to_teams(shift.org_id, [sue], await _team_id(env, shift.org_id, "Morning"))
    headers = await env.token("sue@acme.example.com")
    params = {**DAY, "template": "abandon_compliance", "filter": "team=Morning"}
    refused = await env.client.get(RUN, params=params, headers=headers)
    assert refused.status_code == 403 and "covers whole campaigns" in refused.json()["detail"]


async def _team_id(env: Env, org_id: str, name: str) -> str:
    async with env.sessions() as s:
        found = [t for t in await teams.list_teams(s, org_id) if t.name == name]
        return found[0].id


# -- dispositions -------------------------------------------------------------------------


@contextmanager
def _statements(env: Env) -> Iterator[list[str]]:
    """The SQL statements the app's engine runs meanwhile."""
    engine = env.sessions.kw["bind"].sync_engine
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def _calls(env: Env, disposition: str) -> Any:
    return await _get(env, metrics="calls", filter=f"disposition={disposition}")


async def test_a_disposition_filter_takes_the_catalogues_and_the_machines_codes(
    env: Env, shift: Shift
) -> None:
    for code, calls in (("SALE", 2), ("ABANDONED", 3), ("answering_machine", 1), ("BUSY", 0)):
        resp = await _calls(env, code)
        assert resp.status_code == 200, resp.text
        assert resp.json()["rows"] == [{"calls": calls}], code
    # A code the machine sets, though no call of the day has it yet: zero, not an error.
    assert (await _calls(env, "network_failure")).json()["rows"] == [{"calls": 0}]
    for code in ("NOPE", "RIVAL_ONLY", "sale"):
        refused = await _calls(env, code)
        assert refused.status_code == 422, code
        said = f"filter: disposition: no disposition {code!r} in this organisation"
        assert refused.json()["detail"] == said
    # By day too, through the page's builder.
    headers = await env.token("boss@acme.example.com", whole_role=True)
    page = await env.client.get(
        "/reports",
        params={**DAY, "metrics": "calls", "by": "queue", "filter": "disposition=NOPE"},
        headers=headers,
    )
    assert page.status_code == 422 and "no disposition &#39;NOPE&#39;" in page.text


async def test_a_deleted_disposition_that_calls_used_still_filters(env: Env, shift: Shift) -> None:
    headers = await env.token("boss@acme.example.com", whole_role=True)
    listed = await env.client.get("/api/v1/dispositions", headers=headers)
    [interested] = [d for d in listed.json() if d["code"] == "INTERESTED"]
    gone = await env.client.delete(f"/api/v1/dispositions/{interested['id']}", headers=headers)
    assert gone.status_code in (200, 204), gone.text
    resp = await _calls(env, "INTERESTED")
    assert resp.status_code == 200, resp.text
    assert resp.json()["rows"] == [{"calls": 1}]  # Bob's call at 09:05


async def test_catalogue_codes_resolve_without_reading_the_rollup(env: Env, shift: Shift) -> None:
    async with env.sessions() as s:
        await s.execute(  # deleted: the calls keep the code they ended with
            delete(Disposition).where(
                Disposition.organization_id == shift.org_id, Disposition.code == "INTERESTED"
            )
        )
        await s.commit()
    async with env.sessions() as s:
        with _statements(env) as seen:
            resolved = await resolve_filters(
                s, shift.org_id, {"disposition": "SALE", "queue": "Support"}
            )
            machine = await resolve_filters(s, shift.org_id, {"disposition": "abandoned"})
        assert resolved["disposition"] == "SALE" and machine == {"disposition": "abandoned"}
        assert not [q for q in seen if "report_call_intervals" in q]
        with _statements(env) as seen:
            old = await resolve_filters(s, shift.org_id, {"disposition": "INTERESTED"})
            with pytest.raises(InvalidInput):
                await resolve_filters(s, shift.org_id, {"disposition": "INTERESTD"})
        assert old == {"disposition": "INTERESTED"}
        assert not [q for q in seen if "report_call_intervals" in q]
        assert len([q for q in seen if "report_dispositions" in q]) >= 2


# -- team order -----------------------------------------------------------------------------


async def test_team_rows_come_in_the_order_of_their_names(env: Env) -> None:
    floor = await build_floor(env)  # North = Alice, Bob; South = Bob, Carol
    # Ids in the opposite order of the names: "alpha" last by id, "Zeta" first.
    async with env.sessions() as s:
        s.add_all(
            [
                Team(id="z" * 32, organization_id=floor.org_id, name="alpha"),
                Team(id="0" * 32, organization_id=floor.org_id, name="Zeta"),
            ]
        )
        await s.flush()
        s.add_all(
            [
                TeamMember(team_id="z" * 32, user_id=floor.carol),
                TeamMember(team_id="0" * 32, user_id=floor.dave),
            ]
        )
        await s.commit()
    await env.user(floor.org_id, "boss@dims.example.com", Role.ORG_ADMIN)
    headers = await env.token("boss@dims.example.com")
    params = {**DAY, "metrics": "calls", "by": "team"}
    resp = await env.client.get(RUN, params=params, headers=headers)
    assert resp.status_code == 200, resp.text
    assert [(r["team"], r["calls"]) for r in resp.json()["rows"]] == [
        ("(no team)", 2),  # the two calls no agent took
        ("alpha", 1),
        ("North", 3),
        ("South", 3),
        ("Zeta", 1),
    ]
    by_hour = await env.client.get(RUN, params=params | {"granularity": "hour"}, headers=headers)
    assert [(r["period"][11:16], r["team"]) for r in by_hour.json()["rows"]] == [
        ("09:00", "(no team)"),
        ("09:00", "alpha"),
        ("09:00", "North"),
        ("09:00", "South"),
        ("10:00", "(no team)"),
        ("10:00", "North"),
        ("10:00", "South"),
        ("10:00", "Zeta"),
    ]
