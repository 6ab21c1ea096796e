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


async def test_callback_retry_settings_out_of_range_are_refused_in_words(env: Env) -> None:
    org = await env.org("acme")
    await env.user(org, "admin@acme.example.com", Role.ORG_ADMIN)
    h = await env.token("admin@acme.example.com")
    made = await env.client.post("/api/v1/queues", headers=h, json={"name": "Support"})
    assert made.status_code == 201, made.text
    queue = made.json()
    assert (queue["callback_retries"], queue["callback_retry_minutes"]) == (1, 5)  # defaults

    cases: list[tuple[dict[str, Any], str, str]] = [
        (
            {"callback_retries": 6},
            "callback_retries",
            "Retries of an unanswered callback (callback_retries) must be a whole number "
            "from 0 to 5, not 6",
        ),
        (
            {"callback_retries": -1},
            "callback_retries",
            "Retries of an unanswered callback (callback_retries) must be a whole number "
            "from 0 to 5, not -1",
        ),
        (
            {"callback_retry_minutes": 121},
            "callback_retry_minutes",
            "Minutes before an unanswered callback is tried again (callback_retry_minutes) "
            "must be a whole number from 1 to 120, not 121",
        ),
        (
            {"callback_retry_minutes": 0},
            "callback_retry_minutes",
            "Minutes before an unanswered callback is tried again (callback_retry_minutes) "
            "must be a whole number from 1 to 120, not 0",
        ),
    ]
    body = {k: v for k, v in queue.items() if k != "id"}
    for extra, field, message in cases:
        resp = await env.client.put(f"/api/v1/queues/{queue['id']}", headers=h, json=body | extra)
        assert resp.status_code == 422, resp.text
        problem = resp.json()
        assert problem["code"] == "invalid-input"
        assert problem["errors"] == [{"field": field, "message": message}]
    stored = (await env.client.get(f"/api/v1/queues/{queue['id']}", headers=h)).json()
    assert stored == queue  # nothing stored

    edges = body | {"callback_retries": 0, "callback_retry_minutes": 120}
    saved = await env.client.put(f"/api/v1/queues/{queue['id']}", headers=h, json=edges)
    assert saved.status_code == 200, saved.text
    stored = (await env.client.get(f"/api/v1/queues/{queue['id']}", headers=h)).json()
    assert (stored["callback_retries"], stored["callback_retry_minutes"]) == (0, 120)
