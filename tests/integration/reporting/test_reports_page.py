"""The /reports page: a form that runs a template or a custom report into a table."""

from __future__ import annotations

import re

from tests.integration.reporting.test_reports_api import _shift
from tests.support import Env

from omnivox.core.security.permissions import Role


def _cells(html: str) -> list[list[str]]:
    body = html.split('data-testid="report-table"', 1)[1].split("</table>", 1)[0]
    cells = [re.findall(r"<t[dh]>(.*?)</t[dh]>", row) for row in body.split("<tr>")[1:]]
    return [[re.sub(r"<[^>]+>", "", c) for c in row] for row in cells]


async def test_a_template_and_a_custom_report_render_as_tables(sqlite_env: Env) -> None:
    env = sqlite_env
    shift = await _shift(env)
    await env.user(shift.org_id, "boss@acme.example.com", Role.ORG_ADMIN)
    headers = await env.token("boss@acme.example.com")

    blank = await env.client.get("/reports", headers=headers)
    assert blank.status_code == 200 and 'data-testid="report-form"' in blank.text
    assert 'href="/reports"' in blank.text  # in the menu
    assert "report-table" not in blank.text

    page = await env.client.get(
        "/reports",
        params={
            "template": "campaign_performance",
            "from": "2026-03-10",
            "to": "2026-03-10",
            "filter": "campaign=Spring",
        },
        headers=headers,
    )
    assert page.status_code == 200
    header, spring = _cells(page.text)
    assert header[:4] == ["campaign", "outbound_dials", "live_answers", "outbound_connects"]
    assert spring[:4] == ["Spring", "4", "3", "2"]

    custom = await env.client.get(
        "/reports",
        params={
            "metrics": "calls_offered,asa",
            "by": "queue",
            "from": "2026-03-10",
            "to": "2026-03-10",
        },
        headers=headers,
    )
    rows = {r[0]: r[1:] for r in _cells(custom.text)[1:]}
    assert rows["Support"] == ["4", "16.5"] and rows["Sales"] == ["1", "15.0"]
    assert rows["—"] == ["0", "—"]  # the campaign's calls: no queue, no wait to average


async def test_bad_input_shows_what_is_wrong_on_the_page(sqlite_env: Env) -> None:
    env = sqlite_env
    org = await env.org("acme")
    await env.user(org, "al@acme.example.com", Role.AGENT)
    headers = await env.token("al@acme.example.com")
    page = await env.client.get(
        "/reports",
        params={"metrics": "calls", "from": "2026-03-10", "to": "2026-03-01"},
        headers=headers,
    )
    assert page.status_code == 422 and 'data-testid="report-error"' in page.text
    assert "ends (2026-03-01) before it starts (2026-03-10)" in page.text
    assert 'value="calls" checked' in page.text  # the form keeps what was asked
