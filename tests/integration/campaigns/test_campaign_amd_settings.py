"""Issue 14: a campaign switches answering-machine detection on or off and holds its AMD
false-positive estimate (a share of machine verdicts, 0 to 20 %), through the API and the
campaign page; bad values are refused saying which field and why."""

from __future__ import annotations

from decimal import Decimal

from tests.integration.campaigns.helpers import admin, new_list
from tests.support import Env


async def test_amd_settings_through_the_api(sqlite_env: Env) -> None:
    env = sqlite_env
    _org, headers = await admin(env)
    list_id = await new_list(env, headers)
    base = {"name": "Spring", "list_ids": [list_id]}
    for bad, words in (
        ("0.25", "less than or equal to 0.2"),
        ("-0.01", "greater than or equal to 0"),
        ("0.00001", "decimal places"),
        ("a lot", "valid decimal"),
    ):
        refused = await env.client.post(
            "/api/v1/campaigns", json={**base, "amd_false_positive_estimate": bad}, headers=headers
        )
        assert refused.status_code == 422, refused.text
        assert "amd_false_positive_estimate" in refused.text and words in refused.text
    made = await env.client.post("/api/v1/campaigns", json=base, headers=headers)
    assert made.status_code == 201, made.text
    body = made.json()
    # Defaults: detection on (as before the setting), a conservative 5 % estimate.
    assert body["amd_enabled"] is True
    assert Decimal(str(body["amd_false_positive_estimate"])) == Decimal("0.05")
    cid = body["id"]
    changed = await env.client.patch(
        f"/api/v1/campaigns/{cid}",
        json={"amd_enabled": False, "amd_false_positive_estimate": "0.004"},
        headers=headers,
    )
    assert changed.status_code == 200, changed.text
    stored = (await env.client.get(f"/api/v1/campaigns/{cid}", headers=headers)).json()
    assert stored["amd_enabled"] is False
    assert Decimal(str(stored["amd_false_positive_estimate"])) == Decimal("0.004")
    wrong = await env.client.patch(
        f"/api/v1/campaigns/{cid}", json={"amd_enabled": "sometimes"}, headers=headers
    )
    assert wrong.status_code == 422 and "amd_enabled" in wrong.text


async def test_amd_settings_on_the_campaign_page(sqlite_env: Env) -> None:
    env = sqlite_env
    _org, headers = await admin(env)
    list_id = await new_list(env, headers)
    made = await env.client.post(
        "/api/v1/campaigns", json={"name": "Spring", "list_ids": [list_id]}, headers=headers
    )
    cid = made.json()["id"]
    page = await env.client.get(f"/campaigns/{cid}", headers=headers)
    assert 'name="amd_enabled"' in page.text and 'name="amd_false_positive_percent"' in page.text
    hx = {**headers, "HX-Request": "true"}
    form = {"name": "Spring", "list_ids": [list_id]}
    refused = await env.client.post(
        f"/campaigns/{cid}", data={**form, "amd_false_positive_percent": "25"}, headers=hx
    )
    assert refused.status_code == 422
    assert "less than or equal to 0.2" in refused.text
    garbage = await env.client.post(
        f"/campaigns/{cid}", data={**form, "amd_false_positive_percent": "lots"}, headers=hx
    )
    assert garbage.status_code == 422 and "is not a percentage" in garbage.text
    saved = await env.client.post(
        f"/campaigns/{cid}",
        data={**form, "amd_false_positive_percent": "0.4", "amd_enabled": "false"},
        headers=hx,
    )
    assert saved.status_code == 200 and "Campaign saved" in saved.text
    stored = (await env.client.get(f"/api/v1/campaigns/{cid}", headers=headers)).json()
    assert stored["amd_enabled"] is False
    assert Decimal(str(stored["amd_false_positive_estimate"])) == Decimal("0.004")
    page = await env.client.get(f"/campaigns/{cid}", headers=headers)
    assert 'value="0.40"' in page.text
    assert '<option value="false" selected>' in page.text
