"""Shared steps for the campaigns tests: an organisation with an admin, lists, uploads."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.support import Env

from omnivox.core.security.permissions import Role

CALLER_ID = "+14155550199"  # listed in the organisation's caller IDs by admin()


async def admin(env: Env, slug: str = "acme", tz: str = "UTC") -> tuple[str, dict[str, str]]:
    org = await env.org(slug, tz)
    email = f"boss@{slug}.example.com"
    await env.user(org, email, Role.ORG_ADMIN)
    headers = await env.token(email)
    listed = await env.client.patch(
        "/api/v1/organization", headers=headers, json={"default_caller_ids": [CALLER_ID]}
    )
    assert listed.status_code == 200, listed.text
    return org, headers


async def new_list(env: Env, headers: dict[str, str], name: str = "Leads") -> str:
    resp = await env.client.post("/api/v1/lists", json={"name": name}, headers=headers)
    assert resp.status_code == 201, resp.text
    return str(resp.json()["id"])


async def upload(
    env: Env,
    headers: dict[str, str],
    list_id: str,
    content: bytes,
    **fields: str,
) -> Any:
    return await env.client.post(
        f"/api/v1/lists/{list_id}/imports",
        files={"file": ("contacts.csv", content, "text/csv")},
        data=fields,
        headers=headers,
    )


async def wait_import(env: Env, headers: dict[str, str], import_id: str) -> dict[str, Any]:
    """Poll the import until it has finished, as the page does."""
    for _ in range(500):
        resp = await env.client.get(f"/api/v1/imports/{import_id}", headers=headers)
        body: dict[str, Any] = resp.json()
        if body["status"] in {"done", "failed"}:
            return body
        await asyncio.sleep(0.01)
    raise AssertionError(f"import {import_id} did not finish: {body}")


async def run_upload(
    env: Env, headers: dict[str, str], list_id: str, content: bytes, **fields: str
) -> dict[str, Any]:
    resp = await upload(env, headers, list_id, content, **fields)
    assert resp.status_code == 202, resp.text
    return await wait_import(env, headers, resp.json()["id"])
