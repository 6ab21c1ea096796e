"""The queues API refuses settings that do not fit together with a 422 whose message says
what is wrong in words and names the field to fix; nothing is stored."""

from __future__ import annotations

from typing import Any

from tests.support import Env

from omnivox.core.security.permissions import Role


async def test_cross_field_rules_name_the_field_in_a_422(sqlite_env: Env) -> None:
    env = sqlite_env
    org = await env.org("acme")
    await env.user(org, "admin@acme.example.com", Role.ORG_ADMIN)
    h = await env.token("admin@acme.example.com")
    spanish = (await env.client.post("/api/v1/skills", headers=h, json={"name": "Spanish"})).json()

    cases: list[tuple[dict[str, Any], str, str]] = [
        (
            {"overflow_kind": "voicemail", "overflow_target": "default"},
            "max_wait_seconds",
            "Maximum wait (max_wait_seconds) must be set when an overflow is chosen",
        ),
        (
            {"max_wait_seconds": 60, "overflow_kind": "voicemail"},
            "overflow_kind",
            "Overflow (overflow_kind) and overflow target (overflow_target) must be set "
            "together, or both left empty",
        ),
        (
            {"required_skills": {spanish["id"]: 11}},
            "required_skills",
            f"Minimum proficiency for required skill {spanish['id']} (required_skills) "
            "must be between 1 and 10, not 11",
        ),
    ]
    for extra, field, message in cases:
        resp = await env.client.post("/api/v1/queues", headers=h, json={"name": "Support", **extra})
        assert resp.status_code == 422, resp.text
        body = resp.json()
        assert body["code"] == "invalid-input"
        # The operator's words, on the field to fix (not pydantic's "Value error, " on "body").
        assert body["errors"] == [{"field": field, "message": message}]
        assert message in body["detail"]
    assert (await env.client.get("/api/v1/queues", headers=h)).json() == []
