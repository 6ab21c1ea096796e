"""The campaign pages render stored data and their forms change it (HTTP round trips)."""

from __future__ import annotations

from tests.integration.campaigns.helpers import admin, new_list, run_upload
from tests.support import Env

from omnivox.core.security.permissions import Role


async def test_pages_show_stored_data_and_forms_change_it(sqlite_env: Env) -> None:
    env = sqlite_env
    org, headers = await admin(env)
    agent = await env.user(org, "alex@acme.example.com", Role.AGENT)
    list_id = await new_list(env, headers, "Spring leads")
    await run_upload(env, headers, list_id, b"phone,first_name\n4155550101,Ada\n", region="US")
    hx = {**headers, "HX-Request": "true"}

    resp = await env.client.post(
        "/campaigns",
        data={
            "name": "Spring",
            "dial_mode": "predictive",
            "list_ids": list_id,
            "caller_ids": "+14155550199",
        },
        headers=hx,
    )
    assert resp.status_code == 204
    campaign_url = resp.headers["HX-Redirect"]
    page = await env.client.get(campaign_url, headers=headers)
    assert page.status_code == 200 and "Spring" in page.text and "draft" in page.text
    assert "NO_ANSWER=120x5" in page.text  # the default retry rule, from the database

    bad = await env.client.post(
        campaign_url, data={"name": "Spring", "retry_rules": "NOPE=10x1"}, headers=hx
    )
    assert bad.status_code == 422 and "unknown disposition code" in bad.text
    saved = await env.client.post(
        campaign_url,
        data={
            "name": "Spring",
            "list_ids": list_id,
            "window_start": "09:00",
            "window_end": "20:00",
            "calling_days": ["0", "1", "2"],
            "retry_rules": "NO_ANSWER=60x3",
            "max_attempts": "4",
            "agent_ids": agent,  # a campaign starts only with someone to take its calls
        },
        headers=hx,
    )
    assert saved.status_code == 200 and "Campaign saved" in saved.text
    started = await env.client.post(f"{campaign_url}/start", headers=hx)
    assert "Campaign is now active" in started.text
    assert "boss@acme.example.com" in started.text  # the history names who started it
    api = (await env.client.get(f"/api/v1{campaign_url}", headers=headers)).json()
    assert api["status"] == "active" and api["max_attempts"] == 4
    assert api["calling_days"] == [0, 1, 2] and api["retry_rules"][0]["max_retries"] == 3

    lists_page = await env.client.get("/lists", headers=headers)
    assert 'data-list="Spring leads"' in lists_page.text and "<td>1</td>" in lists_page.text
    contacts = await env.client.get("/contacts", params={"search": "Ada"}, headers=headers)
    assert "+14155550101" in contacts.text and "1 contacts match" in contacts.text
    none = await env.client.get("/contacts", params={"search": "Nobody"}, headers=headers)
    assert "0 contacts match" in none.text

    added = await env.client.post("/dnc", data={"phone": "+14155550177"}, headers=hx)
    assert "Added +14155550177" in added.text
    assert "+14155550177" in (await env.client.get("/dnc", headers=headers)).text
