"""What the outcome metrics need set up (issue 16): whether a disposition is a right-party
contact (defaults by category, editable in the API and the dispositions page), and the
organisation's currency and repeat-contact window (API and settings page)."""

from __future__ import annotations

from tests.integration.platform.test_accounts_api import _admin
from tests.integration.platform.test_pages import _admin_page
from tests.support import Env


async def test_right_party_defaults_by_category_and_is_editable(env: Env) -> None:
    _, h = await _admin(env)
    catalogue = {
        d["code"]: d["right_party"]
        for d in (await env.client.get("/api/v1/dispositions", headers=h)).json()
    }
    assert catalogue["SALE"] and catalogue["INTERESTED"] and catalogue["CALLBACK"]
    assert not (catalogue["NO_ANSWER"] or catalogue["WRONG_NUMBER"] or catalogue["DNC"])

    async def make(body: dict[str, object]) -> dict[str, object]:
        made = await env.client.post("/api/v1/dispositions", headers=h, json=body)
        assert made.status_code == 201, made.text
        return dict(made.json())

    paid = await make({"code": "PAID", "label": "Paid", "category": "sale"})
    gone = await make({"code": "MOVED", "label": "Moved away", "category": "no_contact"})
    proxy = await make(
        {"code": "SPOUSE", "label": "Spoke to spouse", "category": "contact", "right_party": False}
    )
    assert (paid["right_party"], gone["right_party"], proxy["right_party"]) == (True, False, False)
    changed = await env.client.patch(
        f"/api/v1/dispositions/{gone['id']}", headers=h, json={"right_party": True}
    )
    assert changed.status_code == 200 and changed.json()["right_party"] is True


async def test_the_pages_edit_them(sqlite_env: Env) -> None:
    env = sqlite_env
    page, h = await _admin_page(env, "/admin/settings")
    assert 'data-testid="org-currency"' in page and 'value="USD"' in page
    form = {"name": "Acme", "timezone": "UTC", "locale": "en-US", "currency": "eur"}
    saved = await env.client.post(
        "/admin/settings/profile", data={**form, "repeat_contact_days": "3"}, headers=h
    )
    assert saved.status_code == 200 and "Organisation profile saved." in saved.text
    assert 'value="EUR"' in saved.text and 'value="3"' in saved.text
    too_long = await env.client.post(
        "/admin/settings/profile", data={**form, "repeat_contact_days": "91"}, headers=h
    )
    assert too_long.status_code == 422 and "repeat_contact_days" in too_long.text
    unknown = await env.client.post(
        "/admin/settings/profile", data={**form, "currency": "ABC"}, headers=h
    )
    assert unknown.status_code == 422 and "ISO 4217" in unknown.text
    api = await env.client.get("/api/v1/organization", headers=h)
    assert (api.json()["currency"], api.json()["repeat_contact_days"]) == ("EUR", 3)

    made = await env.client.post(
        "/admin/dispositions",
        data={"code": "PAID", "label": "Paid", "category": "sale", "right_party": ""},
        headers=h,
    )
    assert made.status_code == 200, made.text
    # Final, right party, active: right party by its category.
    row = made.text.split('data-code="PAID"')[1].split("</tr>")[0]
    assert "<td>no</td><td>yes</td><td>yes</td>" in row
    said_not = await env.client.post(
        "/admin/dispositions",
        data={"code": "NOPE", "label": "No", "category": "sale", "right_party": "off"},
        headers=h,
    )
    row = said_not.text.split('data-code="NOPE"')[1].split("</tr>")[0]
    assert "<td>no</td><td>no</td><td>yes</td>" in row  # said not to be
