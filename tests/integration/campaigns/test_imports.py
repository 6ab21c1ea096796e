"""CSV imports through the API on both backends: counts, per-row reasons, nothing lost or
half-imported, formula neutralisation in the rejected-rows report, DNC scrub, progress."""

from __future__ import annotations

import csv
import io

from tests.integration.campaigns.helpers import admin, new_list, run_upload, upload
from tests.support import Env

from omnivox.core.events import DomainEvent

GOOD = (
    "\ufeffPhone;First Name;Last Name;Email;Notes\r\n"
    "(415) 555-0101;Ada;Lovelace;ada@example.com;vip\r\n"
    '415-555-0102;"Grace\nMulti";Hopper;;"semi;colon"\r\n'
    "+44 20 7946 0958;Alan;Turing;;\r\n"
)


async def _contacts(env: Env, headers: dict[str, str], list_id: str) -> list[dict[str, object]]:
    resp = await env.client.get(
        "/api/v1/contacts", params={"list_id": list_id, "per_page": 500}, headers=headers
    )
    assert resp.status_code == 200
    items: list[dict[str, object]] = resp.json()["items"]
    return items


async def test_import_normalises_infers_zones_and_keeps_custom_fields(env: Env) -> None:
    _org, headers = await admin(env)
    list_id = await new_list(env, headers)
    received: list[DomainEvent] = []

    async def collect(event: DomainEvent) -> None:
        received.append(event)

    env.app.state.omnivox.bus.subscribe(DomainEvent, collect, remote=True)  # type: ignore[attr-defined]
    done = await run_upload(env, headers, list_id, GOOD.encode(), region="US")
    assert done["status"] == "done", done
    assert (done["imported"], done["rejected"], done["duplicates"], done["percent"]) == (
        3,
        0,
        0,
        100,
    )
    by_phone = {c["phone"]: c for c in await _contacts(env, headers, list_id)}
    assert set(by_phone) == {"+14155550101", "+14155550102", "+442079460958"}
    assert by_phone["+14155550101"]["timezone"] == "America/Los_Angeles"
    assert by_phone["+14155550101"]["custom_fields"] == {"Notes": "vip"}
    assert by_phone["+14155550102"]["first_name"] == "Grace\nMulti"
    assert by_phone["+14155550102"]["custom_fields"] == {"Notes": "semi;colon"}
    assert "Europe/London" in str(by_phone["+442079460958"]["timezone"])
    final = [e for e in received if e.name == "import.progress"][-1]
    assert final.data["status"] == "done" and final.data["imported"] == 3
    assert final.audience.permission == "contacts:import"


async def test_hostile_rows_are_reported_line_by_line_and_neutralised(env: Env) -> None:
    _org, headers = await admin(env)
    list_id = await new_list(env, headers)
    await env.client.post("/api/v1/dnc", json={"phone": "+14155550109"}, headers=headers)
    content = (
        "phone,first_name,notes\n"
        "4155550101,Ok,fine\n"  # line 2
        'not a number,=HYPERLINK("http://x"),a\n'  # line 3: invalid phone + formula
        "4155550101,Again,dup\n"  # line 4: duplicate of line 2
        "4155550103,Ragged\n"  # line 5: too few columns
        f"4155550104,Huge,{'x' * 5000}\n"  # line 6: huge field
        "4155550109,Listed,dnc\n"  # line 7: on the DNC list
        "@SUM(1+1),x,y\n"  # line 8
    )
    done = await run_upload(env, headers, list_id, content.encode(), region="US")
    assert done["status"] == "done"
    assert (done["imported"], done["duplicates"], done["rejected"], done["dnc"]) == (1, 1, 4, 1)
    assert done["rows_total"] == 7
    resp = await env.client.get(f"/api/v1/imports/{done['id']}/rejections.csv", headers=headers)
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(resp.text)))
    assert rows[0] == ["line", "kind", "reason", "row"]
    lines = {int(r[0]): r for r in rows[1:]}
    assert sorted(lines) == [3, 4, 5, 6, 7, 8]
    assert lines[3][1] == "rejected" and "not a phone number" in lines[3][2]
    assert lines[4][1] == "duplicate"
    assert "expected 3 columns, found 2" in lines[5][2]
    assert "5000 characters" in lines[6][2]
    assert lines[7][1] == "dnc"
    # Cells that a spreadsheet would execute come back with a leading apostrophe.
    assert lines[8][3].startswith("'@SUM")
    assert all(not cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r)
    assert len(await _contacts(env, headers, list_id)) == 1


async def test_malformed_files_are_refused_and_nothing_is_stored(env: Env) -> None:
    _org, headers = await admin(env)
    list_id = await new_list(env, headers)
    latin1 = "phone,name\n4155550101,Jos\xe9\n".encode("latin-1")
    for content, expected in (
        (latin1, "not UTF-8"),
        (b"name,email\nAda,ada@example.com\n", "no phone column"),
        (b"", "empty"),
        (b"\x00\x01\x02binary", "binary"),
    ):
        resp = await upload(env, headers, list_id, content)
        assert resp.status_code == 422, resp.text
        assert expected in resp.json()["detail"]
        assert resp.json()["errors"][0]["field"] == "file"
    resp = await env.client.get(f"/api/v1/lists/{list_id}/imports", headers=headers)
    assert resp.json() == []


async def test_a_row_in_another_encoding_is_rejected_on_its_own(env: Env) -> None:
    """Issue 14: one Latin-1 row used to fail a whole 5,000-row import ("byte 5938 of a
    chunk", nothing imported); now that row alone is rejected, with its line number,
    whether the up-front check can see it or not."""
    _org, headers = await admin(env)
    list_id = await new_list(env, headers)
    good = "".join(f"415555{i:04d},Name{i}\n" for i in range(1000, 5000))
    content = (
        b"phone,name\n4155550999,Early\n"
        + "4155550998,Ren\xe9e\n".encode("latin-1")  # line 3, inside the first 64 KB
        + good.encode()
        + "4155559999,Jos\xe9\n".encode("latin-1")  # line 4004, after the first 64 KB
    )
    assert len(content) > 64 * 1024
    done = await run_upload(env, headers, list_id, content, region="US")
    assert done["status"] == "done", done
    assert (done["imported"], done["rejected"]) == (4001, 2)
    report = await env.client.get(f"/api/v1/imports/{done['id']}/rejections.csv", headers=headers)
    rows = list(csv.reader(io.StringIO(report.text)))[1:]
    assert [(r[0], r[1]) for r in rows] == [("3", "rejected"), ("4004", "rejected")]
    assert "not UTF-8 text (byte 0xE9 in 'name')" in rows[0][2]
    assert rows[1][3] == "4155559999,Jos\ufffd"  # kept readable in the report


async def test_dedupe_across_the_campaigns_lists(env: Env) -> None:
    _org, headers = await admin(env)
    first, second = await new_list(env, headers, "First"), await new_list(env, headers, "Second")
    resp = await env.client.post(
        "/api/v1/campaigns",
        json={"name": "Spring", "list_ids": [first], "caller_ids": ["+14155550199"]},
        headers=headers,
    )
    campaign_id = resp.json()["id"]
    await run_upload(env, headers, first, b"phone\n4155550101\n", region="US")
    done = await run_upload(
        env,
        headers,
        second,
        b"phone\n4155550101\n4155550102\n",
        region="US",
        campaign_id=campaign_id,
    )
    assert (done["imported"], done["duplicates"]) == (1, 1)
    campaign = (await env.client.get(f"/api/v1/campaigns/{campaign_id}", headers=headers)).json()
    assert campaign["list_ids"] == sorted([first, second])
