"""An import whose process died is marked interrupted (at start-up, or by any node that
finds it abandoned), shown as such, and resumed from its last committed batch or
discarded."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from sqlalchemy import func, select
from tests.integration.campaigns.helpers import new_list, upload, wait_import
from tests.integration.platform.test_auth import login
from tests.support import Env

from omnivox.campaigns import imports
from omnivox.campaigns.models import Contact, ContactImport
from omnivox.core.security.permissions import Role
from omnivox.core.security.principal import Principal

ROWS = 23  # 20 good numbers, 3 rejected


class Crash(BaseException):
    """The process dying: no except or cleanup of the import runs after it."""


def _csv(tmp_path: Path) -> Path:
    lines = ["phone,first_name"]
    lines += [f"+1415555{1000 + i:04d},P{i}" for i in range(20)]
    lines += ["not-a-number,X", "+14155551003,Dup", "also-bad,Y"]  # a duplicate of row 4
    path = tmp_path / "contacts.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


async def _crashed_import(env: Env, org: str, list_id: str, tmp_path: Path) -> str:
    """Run an import that dies after its first committed batch of 8 rows."""
    async with env.sessions() as s:
        row = await imports.prepare_import(
            s,
            Principal.system(org),
            list_id,
            _csv(tmp_path),
            "contacts.csv",
            imports.ImportOptions(),
            env.clock.now(),
        )
        import_id = row.id

    def die(_row: ContactImport) -> None:
        raise Crash

    with contextlib.suppress(Crash):
        await imports.run_import(
            env.sessions, None, env.clock, import_id, batch_size=8, on_progress=die
        )
    return import_id


async def _contacts(env: Env, list_id: str, status: str | None = None) -> list[str]:
    async with env.sessions() as s:
        query = select(Contact.phone).where(Contact.list_id == list_id)
        if status:
            query = query.where(Contact.status == status)
        return list((await s.scalars(query)).all())


async def _admin(env: Env) -> tuple[str, dict[str, str]]:
    org = await env.org("acme")
    await env.user(org, "boss@acme.example.com", Role.ORG_ADMIN)
    return org, await env.token("boss@acme.example.com")


async def test_a_crashed_import_is_interrupted_at_start_up_and_resumes(
    env: Env, tmp_path: Path
) -> None:
    org, headers = await _admin(env)
    list_id = await new_list(env, headers)
    import_id = await _crashed_import(env, org, list_id, tmp_path)
    async with env.sessions() as s:
        row = await s.get(ContactImport, import_id)
        assert row is not None and row.status == "running" and row.rows_total == 8
    assert len(await _contacts(env, list_id, "staged")) == 8

    await env.clock.advance(env.settings.import_stale_seconds + 1)
    app: FastAPI = env.app  # type: ignore[assignment]
    async with app.router.lifespan_context(app):
        async with env.sessions() as s:
            row = await s.get(ContactImport, import_id)
            assert row is not None and row.status == "interrupted"
        shown = (await env.client.get(f"/api/v1/imports/{import_id}", headers=headers)).json()
        assert shown["status"] == "interrupted" and "resume" in shown["error"]
        await login(env, "boss@acme.example.com")
        page = await env.client.get(f"/lists/{list_id}")
        assert 'data-status="interrupted"' in page.text
        assert f'hx-post="/imports/{import_id}/resume"' in page.text
        # A new import into the list waits for the interrupted one to be settled.
        busy = await upload(env, headers, list_id, b"phone\n+14155559999\n")
        assert busy.status_code == 409 and "resume or discard" in busy.json()["detail"]

        resumed = await env.client.post(f"/api/v1/imports/{import_id}/resume", headers=headers)
        assert resumed.status_code == 202, resumed.text
        done = await wait_import(env, headers, import_id)
    assert done["status"] == "done", done
    assert (done["rows_total"], done["imported"], done["rejected"], done["duplicates"]) == (
        ROWS,
        20,
        2,
        1,
    )
    phones = await _contacts(env, list_id, "new")
    assert len(phones) == 20 == len(set(phones))
    assert not await _contacts(env, list_id, "staged")


async def test_an_abandoned_import_found_by_any_node_can_be_discarded(
    env: Env, tmp_path: Path
) -> None:
    org, headers = await _admin(env)
    list_id = await new_list(env, headers)
    import_id = await _crashed_import(env, org, list_id, tmp_path)
    fresh = await env.client.get(f"/api/v1/imports/{import_id}", headers=headers)
    assert fresh.json()["status"] == "running"  # its heartbeat is recent: not abandoned yet
    refused = await env.client.post(f"/api/v1/imports/{import_id}/discard", headers=headers)
    assert refused.status_code == 409 and "running" in refused.json()["detail"]

    await env.clock.advance(env.settings.import_stale_seconds + 1)
    listed: list[dict[str, Any]] = (
        await env.client.get(f"/api/v1/lists/{list_id}/imports", headers=headers)
    ).json()
    assert [i["status"] for i in listed] == ["interrupted"]
    discarded = await env.client.post(f"/api/v1/imports/{import_id}/discard", headers=headers)
    assert discarded.status_code == 200, discarded.text
    assert discarded.json()["status"] == "discarded" and discarded.json()["imported"] == 0
    assert not await _contacts(env, list_id)
    again = await env.client.post(f"/api/v1/imports/{import_id}/resume", headers=headers)
    assert again.status_code == 409
    async with env.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Contact)) == 0
    # The list takes a new import again.
    assert (await upload(env, headers, list_id, b"phone\n+14155559999\n")).status_code == 202
    await wait_import(
        env,
        headers,
        (await env.client.get(f"/api/v1/lists/{list_id}/imports", headers=headers)).json()[0]["id"],
    )


async def test_a_worker_that_only_looked_dead_stops_and_the_resume_finishes(
    env: Env, tmp_path: Path
) -> None:
    """A worker silent past the threshold is marked interrupted; when it wakes it stops at
    its next batch (touching nothing), and the resumed import still has no duplicates."""
    org, headers = await _admin(env)
    list_id = await new_list(env, headers)
    async with env.sessions() as s:
        row = await imports.prepare_import(
            s,
            Principal.system(org),
            list_id,
            _csv(tmp_path),
            "contacts.csv",
            imports.ImportOptions(),
            env.clock.now(),
        )
        import_id = row.id
    seen = 0

    async def stall(_row: ContactImport) -> None:
        nonlocal seen
        seen += 1
        if seen == 1:  # the worker stalls after its first batch; a node notices
            await env.clock.advance(env.settings.import_stale_seconds + 1)
            listed = await env.client.get(f"/api/v1/imports/{import_id}", headers=headers)
            assert listed.json()["status"] == "interrupted"

    stopped = await imports.run_import(
        env.sessions, None, env.clock, import_id, batch_size=8, on_progress=stall
    )
    assert stopped.status == "interrupted" and stopped.rows_total == 8
    assert len(await _contacts(env, list_id, "staged")) == 8  # its unfinished batch undone
    twice = [
        env.client.post(f"/api/v1/imports/{import_id}/resume", headers=headers) for _ in range(2)
    ]
    first = await twice[0]
    second = await twice[1]
    assert (first.status_code, second.status_code) == (202, 409)
    done = await wait_import(env, headers, import_id)
    assert (done["status"], done["rows_total"], done["imported"]) == ("done", ROWS, 20)
    phones = await _contacts(env, list_id, "new")
    assert len(phones) == 20 == len(set(phones))


async def test_the_list_page_resumes_and_discards(sqlite_env: Env, tmp_path: Path) -> None:
    from tests.integration.platform.test_auth import page_csrf

    env = sqlite_env
    org, headers = await _admin(env)
    list_id = await new_list(env, headers)
    first = await _crashed_import(env, org, list_id, tmp_path)
    await env.clock.advance(env.settings.import_stale_seconds + 1)
    await login(env, "boss@acme.example.com")
    page = await env.client.get(f"/lists/{list_id}")
    hx = {"X-CSRF-Token": page_csrf(page.text), "HX-Request": "true"}
    resumed = await env.client.post(f"/imports/{first}/resume", headers=hx)
    assert resumed.status_code == 200 and 'data-testid="import-progress"' in resumed.text
    done = await wait_import(env, headers, first)
    assert (done["status"], done["imported"]) == ("done", 20)

    second_list = await new_list(env, headers, "Second")
    second = await _crashed_import(env, org, second_list, tmp_path)
    await env.clock.advance(env.settings.import_stale_seconds + 1)
    await env.client.get(f"/lists/{second_list}")  # the page notices it
    discarded = await env.client.post(f"/imports/{second}/discard", headers=hx)
    assert discarded.status_code == 200 and 'data-status="discarded"' in discarded.text
    assert not await _contacts(env, second_list)
