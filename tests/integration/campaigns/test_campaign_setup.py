"""Campaign set-up in the UI (issue 14): agents and teams are assigned on the campaign page,
a start with nobody to take the calls is refused saying why, and the page shows the
campaign's live figures from its call records."""

from __future__ import annotations

from datetime import timedelta

from tests.integration.campaigns.helpers import admin, new_list
from tests.support import Env

from omnivox.core.security.permissions import Role
from omnivox.telephony.models import Call


async def _campaign(env: Env, headers: dict[str, str]) -> str:
    list_id = await new_list(env, headers)
    made = await env.client.post(
        "/api/v1/campaigns",
        json={"name": "Spring", "list_ids": [list_id], "caller_ids": ["+14155550199"]},
        headers=headers,
    )
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


async def test_a_campaign_without_agents_does_not_start_and_says_why(env: Env) -> None:
    org, headers = await admin(env)
    cid = await _campaign(env, headers)
    refused = await env.client.post(f"/api/v1/campaigns/{cid}/start", headers=headers)
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "campaign-not-ready"
    assert "assign at least one agent" in refused.json()["detail"]
    # A team with no members is nobody either.
    team = await env.client.post("/api/v1/teams", json={"name": "Night"}, headers=headers)
    assert team.status_code == 201, team.text
    await env.client.patch(
        f"/api/v1/campaigns/{cid}", json={"team_ids": [team.json()["id"]]}, headers=headers
    )
    again = await env.client.post(f"/api/v1/campaigns/{cid}/start", headers=headers)
    assert again.status_code == 409 and "assign at least one agent" in again.json()["detail"]
    # The page's Start shows the reason where the page shows errors.
    hx = {**headers, "HX-Request": "true"}
    page = await env.client.post(f"/campaigns/{cid}/start", headers=hx)
    assert page.status_code == 409 and page.headers["HX-Retarget"] == "#flash"
    assert "assign at least one agent" in page.text
    shown = await env.client.get(f"/api/v1/campaigns/{cid}", headers=headers)
    assert shown.json()["status"] == "draft"

    alex = await env.user(org, "alex@acme.example.com", Role.AGENT)
    members = await env.client.put(
        f"/api/v1/teams/{team.json()['id']}/members", json={"user_ids": [alex]}, headers=headers
    )
    assert members.status_code == 200, members.text
    started = await env.client.post(f"/api/v1/campaigns/{cid}/start", headers=headers)
    assert started.status_code == 200 and started.json()["status"] == "active"


async def test_agents_and_teams_are_assigned_on_the_campaign_page(sqlite_env: Env) -> None:
    env = sqlite_env
    org, headers = await admin(env)
    alex = await env.user(org, "alex@acme.example.com", Role.AGENT)
    await env.user(org, "rita@acme.example.com", Role.REPORTING)  # takes no calls
    team = (await env.client.post("/api/v1/teams", json={"name": "Day"}, headers=headers)).json()
    cid = await _campaign(env, headers)
    page = await env.client.get(f"/campaigns/{cid}", headers=headers)
    assert 'name="agent_ids"' in page.text and "alex@acme.example.com" in page.text
    assert "rita@acme.example.com" not in page.text  # only people who take calls
    assert 'name="team_ids"' in page.text and "Day" in page.text
    current = (await env.client.get(f"/api/v1/campaigns/{cid}", headers=headers)).json()
    hx = {**headers, "HX-Request": "true"}
    saved = await env.client.post(
        f"/campaigns/{cid}",
        data={
            "name": "Spring",
            "list_ids": current["list_ids"],
            "agent_ids": [alex],
            "team_ids": [team["id"]],
        },
        headers=hx,
    )
    assert saved.status_code == 200 and "Campaign saved" in saved.text
    stored = (await env.client.get(f"/api/v1/campaigns/{cid}", headers=headers)).json()
    assert stored["agent_ids"] == [alex] and stored["team_ids"] == [team["id"]]
    started = await env.client.post(f"/campaigns/{cid}/start", headers=hx)
    assert "Campaign is now active" in started.text
    # Unselecting everyone on the page removes them.
    cleared = await env.client.post(
        f"/campaigns/{cid}", data={"name": "Spring", "list_ids": current["list_ids"]}, headers=hx
    )
    assert cleared.status_code == 200
    stored = (await env.client.get(f"/api/v1/campaigns/{cid}", headers=headers)).json()
    assert stored["agent_ids"] == [] and stored["team_ids"] == []


async def test_the_campaign_page_shows_live_figures_from_the_call_records(
    sqlite_env: Env,
) -> None:
    env = sqlite_env
    org, headers = await admin(env)
    cid = await _campaign(env, headers)
    now = env.clock.now()
    async with env.sessions() as s:
        for i, state in enumerate(["abandoned", "completed", "completed", "no_answer"]):
            s.add(
                Call(
                    organization_id=org,
                    direction="outbound",
                    owner_kind="campaign",
                    owner_id=cid,
                    state=state,
                    provider="twilio",
                    from_number="+14155550199",
                    to_number=f"+1415555010{i}",
                    conference_name=f"ovx-fig-{i}",
                    created_at=now - timedelta(minutes=5),
                    answered_at=None if state == "no_answer" else now - timedelta(minutes=4),
                    ended_at=now - timedelta(minutes=3),
                )
            )
        await s.commit()
    page = await env.client.get(f"/campaigns/{cid}", headers=headers)
    assert f'hx-get="/campaigns/{cid}/figures"' in page.text
    figures = await env.client.get(f"/campaigns/{cid}/figures", headers=headers)
    assert figures.status_code == 200
    text = " ".join(figures.text.split())
    assert 'data-testid="figure-dialled">4<' in text
    assert 'data-testid="figure-answered">3<' in text
    # 1 abandoned of 3 live answers in the window, against the organisation's 3 % cap.
    assert "33.3 % (1 of 3 live answers); cap 3.0 %: at the cap" in text
