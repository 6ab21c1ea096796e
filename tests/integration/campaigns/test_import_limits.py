"""Bounded CSV imports: bytes (checked while the body streams), rows, rejected-row records
kept, and free disk space; a refusal names its limit and loses nothing already stored."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator

from tests.integration.campaigns.helpers import admin, new_list, run_upload, upload
from tests.support import Env

ROW = b"+1415555%04d,Ada\n"


def _rows(n: int, start: int = 100) -> bytes:
    return b"phone,first_name\n" + b"".join(ROW % (start + i) for i in range(n))


async def _contacts(env: Env, headers: dict[str, str], list_id: str) -> int:
    resp = await env.client.get(
        "/api/v1/contacts", params={"list_id": list_id, "per_page": 500}, headers=headers
    )
    return len(resp.json()["items"])


async def test_an_upload_over_the_byte_limit_is_refused_with_413(sqlite_env: Env) -> None:
    env = sqlite_env
    _org, headers = await admin(env)
    list_id = await new_list(env, headers)
    assert (await run_upload(env, headers, list_id, _rows(3)))["status"] == "done"
    env.settings.max_import_bytes = 2000
    resp = await upload(env, headers, list_id, _rows(300, start=200))
    assert resp.status_code == 413, resp.text
    assert "2,000 bytes" in resp.json()["detail"]
    assert "OMNIVOX_MAX_IMPORT_BYTES" in resp.json()["detail"]
    # Nothing stored before is lost, and the refused file left no import behind.
    assert await _contacts(env, headers, list_id) == 3
    listed = (await env.client.get(f"/api/v1/lists/{list_id}/imports", headers=headers)).json()
    assert len(listed) == 1


async def test_the_byte_limit_is_checked_while_the_body_streams(sqlite_env: Env) -> None:
    """A 90 MB body without a Content-Length is refused after the first chunks past the
    limit, not read to its end first."""
    env = sqlite_env
    _org, headers = await admin(env)
    list_id = await new_list(env, headers)
    env.settings.max_import_bytes = 100_000
    sent = 0
    chunk = b"4155550100,Ada\n" * 4096  # ~61 KB

    async def body() -> AsyncIterator[bytes]:
        nonlocal sent
        yield (
            b'--b\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n'
            b"Content-Type: text/csv\r\n\r\nphone,first_name\n"
        )
        for _ in range(1500):  # ~90 MB
            sent += 1
            yield chunk
        yield b"\r\n--b--\r\n"

    resp = await env.client.post(
        f"/api/v1/lists/{list_id}/imports",
        content=body(),
        headers={**headers, "Content-Type": "multipart/form-data; boundary=b"},
    )
    assert resp.status_code == 413, resp.text
    assert "100,000 bytes" in resp.json()["detail"]
    assert sent < 10, f"{sent} chunks read before the refusal"


async def test_a_declared_length_over_the_limit_is_refused_before_reading(
    sqlite_env: Env,
) -> None:
    env = sqlite_env
    _org, headers = await admin(env)
    list_id = await new_list(env, headers)
    env.settings.max_import_bytes = 1000
    resp = await upload(env, headers, list_id, _rows(200))
    assert resp.status_code == 413 and "1,000 bytes" in resp.json()["detail"]


async def test_an_import_over_the_row_limit_stops_and_names_it(env: Env) -> None:
    _org, headers = await admin(env)
    list_id = await new_list(env, headers)
    assert (await run_upload(env, headers, list_id, _rows(2, start=900)))["status"] == "done"
    env.settings.max_import_rows = 3
    done = await run_upload(env, headers, list_id, _rows(5))
    assert done["status"] == "failed"
    assert "3 rows" in done["error"] and "OMNIVOX_MAX_IMPORT_ROWS" in done["error"]
    assert done["imported"] == 0
    assert await _contacts(env, headers, list_id) == 2  # the earlier import's contacts stay


async def test_rejected_row_records_are_capped_with_a_count_of_the_rest(env: Env) -> None:
    _org, headers = await admin(env)
    list_id = await new_list(env, headers)
    env.settings.max_import_rejections = 2
    content = b"phone,first_name\n+14155550100,Ada\n" + b"".join(
        b"not-a-number-%d,Bad\n" % i for i in range(5)
    )
    done = await run_upload(env, headers, list_id, content)
    assert done["status"] == "done" and done["imported"] == 1 and done["rejected"] == 5
    assert done["rejections_not_kept"] == 3
    report = await env.client.get(f"/api/v1/imports/{done['id']}/rejections.csv", headers=headers)
    rows = list(csv.reader(io.StringIO(report.text)))
    assert [r[0] for r in rows[1:3]] == ["3", "4"]
    assert len(rows) == 4 and "3 more rows" in rows[3][2]
    assert "OMNIVOX_MAX_IMPORT_REJECTIONS" in rows[3][2]


async def test_an_upload_is_refused_with_507_when_the_disk_is_short(sqlite_env: Env) -> None:
    env = sqlite_env
    _org, headers = await admin(env)
    list_id = await new_list(env, headers)
    env.settings.import_min_free_disk_bytes = 10**18  # more than any disk has free
    resp = await upload(env, headers, list_id, _rows(3))
    assert resp.status_code == 507, resp.text
    assert "OMNIVOX_IMPORT_MIN_FREE_DISK_BYTES" in resp.json()["detail"]
    assert "free" in resp.json()["detail"]
    assert (await env.client.get(f"/api/v1/lists/{list_id}/imports", headers=headers)).json() == []


async def test_an_organisation_sets_lower_limits_of_its_own(env: Env) -> None:
    _org, headers = await admin(env)
    list_id = await new_list(env, headers)
    set_ = await env.client.patch(
        "/api/v1/organization", headers=headers, json={"import_max_rows": 2}
    )
    assert set_.status_code == 200 and set_.json()["import_max_rows"] == 2
    done = await run_upload(env, headers, list_id, _rows(3))
    assert done["status"] == "failed"
    assert "2 rows" in done["error"] and "organisation's import limit" in done["error"]

    await env.client.patch(
        "/api/v1/organization", headers=headers, json={"import_max_rows": 0, "import_max_bytes": 60}
    )
    resp = await upload(env, headers, list_id, _rows(5))
    assert resp.status_code == 413
    assert (
        "60 bytes" in resp.json()["detail"]
        and "organisation's import limit" in resp.json()["detail"]
    )
    # An organisation's limit only ever lowers the deployment's.
    await env.client.patch(
        "/api/v1/organization", headers=headers, json={"import_max_bytes": 10**9}
    )
    env.settings.max_import_bytes = 2000
    resp = await upload(env, headers, list_id, _rows(300))
    assert resp.status_code == 413 and "OMNIVOX_MAX_IMPORT_BYTES" in resp.json()["detail"]
    refused = await env.client.patch(
        "/api/v1/organization", headers=headers, json={"import_max_rows": -1}
    )
    assert refused.status_code == 422


async def test_the_settings_page_sets_the_organisations_import_limits(sqlite_env: Env) -> None:
    from tests.integration.platform.test_auth import login, page_csrf

    env = sqlite_env
    _org, headers = await admin(env)
    await login(env, "boss@acme.example.com")
    page = await env.client.get("/admin/settings")
    assert 'data-testid="org-import-max-rows"' in page.text
    saved = await env.client.post(
        "/admin/settings/profile",
        data={
            "name": "Acme",
            "timezone": "UTC",
            "locale": "en-US",
            "import_max_rows": "250",
            "import_max_bytes": "",
        },
        headers={"X-CSRF-Token": page_csrf(page.text), "HX-Request": "true"},
    )
    assert saved.status_code == 200, saved.text
    org = (await env.client.get("/api/v1/organization", headers=headers)).json()
    assert (org["import_max_rows"], org["import_max_bytes"]) == (250, 0)


async def test_a_do_not_call_upload_over_its_limit_is_refused_with_413(sqlite_env: Env) -> None:
    env = sqlite_env
    _org, headers = await admin(env)
    env.settings.max_dnc_import_bytes = 1000
    resp = await env.client.post(
        "/api/v1/dnc/import",
        files={"file": ("dnc.csv", _rows(200), "text/csv")},
        headers=headers,
    )
    assert resp.status_code == 413
    assert "1,000 bytes" in resp.json()["detail"]
    assert "OMNIVOX_MAX_DNC_IMPORT_BYTES" in resp.json()["detail"]
    small = await env.client.post(
        "/api/v1/dnc/import", files={"file": ("dnc.csv", _rows(3), "text/csv")}, headers=headers
    )
    assert small.status_code == 200, small.text
