"""Revenue, right-party contacts and first-contact resolution over the scripted morning
(``shift``) plus a few callers who ring again, each figure worked out by hand. The
rollups follow the app's own events; a rebuild gives the same. SQLite and PostgreSQL.

The morning's calls with an agent (``shift``): Alice 1 (SALE, $120.50), 5 and 9
(NOT_INTERESTED); Bob 2 (INTERESTED) and 6 (SALE, $99.90, campaign Spring). This
organisation says INTERESTED is not a right-party contact. All the morning's inbound
calls come from one number, so 2 and 5 repeat 1.

Added here, all inbound and handled unless said (``X`` ended 8 days before: outside the
7-day window; ``Y`` 6 days before: a repeat; ``Z`` abandoned before: no handled contact
to repeat; withheld numbers never repeat):

====================  ======  ===============  ===========  =======
call                  agent   disposition      right party  repeat
====================  ======  ===============  ===========  =======
X 03-02 09:00         Alice   INTERESTED       (other day)
X 03-10 11:00         Alice   NOT_INTERESTED   yes          no
Y 03-04 10:00         Bob     INTERESTED       (other day)
Y 03-10 11:30         Bob     CALLBACK         yes          yes
Z 03-09 12:00         —       abandoned        (other day)
Z 03-10 12:00         Alice   WRONG_NUMBER     no           no
anonymous 12:10       Alice   NOT_INTERESTED   yes          no
anonymous 12:20       Alice   NOT_INTERESTED   yes          no
====================  ======  ===============  ===========  =======

On 03-10: calls with an agent 5 + 5 = 10, right-party 4 + 4 = 8 (80 %); inbound
handled 3 + 5 = 8, repeats 2 + 1 = 3, FCR (8 - 3) ÷ 8 = 62.5 %; revenue 220.40 over
2 sales.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import update
from tests.integration.reporting.script import Inbound, insert_call
from tests.integration.reporting.shift import DAY, Shift, at, build_shift
from tests.integration.reporting.test_reports import announce
from tests.support import Env

from omnivox.accounts import Organization
from omnivox.accounts.models import Disposition
from omnivox.reporting import ReportRequest, rebuild, run_report

D = date(2026, 3, 10)
X, Y, Z = "+14155550111", "+14155550122", "+14155550133"
METRICS = (
    "calls_with_agent",
    "right_party_contacts",
    "right_party_rate",
    "calls_handled",
    "repeat_contacts",
    "first_contact_resolution",
    "conversions",
    "revenue",
    "revenue_per_sale",
)


def _day(month_day: int, hh: int, mm: int = 0) -> datetime:
    return datetime(2026, 3, month_day, hh, mm, tzinfo=UTC)


@pytest.fixture
async def shift(env: Env) -> Shift:
    built = await build_shift(env)
    async with env.sessions() as s:
        await s.execute(
            update(Disposition)
            .where(Disposition.organization_id == built.org_id, Disposition.code == "INTERESTED")
            .values(right_party=False)
        )
        q = ("queue", built.support)
        extra = [
            (Inbound(_day(2, 9), 5, 60, disposition="INTERESTED", number=X), built.alice),
            (Inbound(at(11, 0), 5, 60, disposition="NOT_INTERESTED", number=X), built.alice),
            (Inbound(_day(4, 10), 5, 60, disposition="INTERESTED", number=Y), built.bob),
            (Inbound(at(11, 30), 5, 60, disposition="CALLBACK", number=Y), built.bob),
            (Inbound(_day(9, 12), 30, abandon=True, number=Z), None),
            (Inbound(at(12, 0), 5, 60, disposition="WRONG_NUMBER", number=Z), built.alice),
            (Inbound(at(12, 10), 5, 60, disposition="NOT_INTERESTED", number="anonymous"), None),
            (Inbound(at(12, 20), 5, 60, disposition="NOT_INTERESTED", number="anonymous"), None),
        ]
        for spec, agent in extra:
            built.call_ids.append(
                await insert_call(s, built.org_id, spec, owner=q, agent_id=agent or built.alice)
            )
        await s.commit()
    await announce(env, built)
    return built


async def _report(env: Env, shift: Shift, **kw: Any) -> list[dict[str, Any]]:
    async with env.sessions() as s:
        result = await run_report(s, shift.org_id, ReportRequest(METRICS, D, D, **kw), env.settings)
    return result.rows


def _figures(row: dict[str, Any]) -> dict[str, Any]:
    return {m: row[m] for m in METRICS}


async def test_the_days_totals(env: Env, shift: Shift) -> None:
    [total] = await _report(env, shift)
    assert _figures(total) == {
        "calls_with_agent": 10,
        "right_party_contacts": 8,
        "right_party_rate": 80.0,
        "calls_handled": 8,
        "repeat_contacts": 3,
        "first_contact_resolution": 62.5,
        "conversions": 2,
        "revenue": 220.4,
        "revenue_per_sale": 110.2,
    }
    # A rebuild from the raw records gives the same figures.
    async with env.sessions() as s:
        await rebuild(s, shift.org_id, DAY, DAY + timedelta(days=1))
        await s.commit()
    assert await _report(env, shift) == [total]


async def test_per_agent_and_campaign(env: Env, shift: Shift) -> None:
    rows = {r["agent"]: _figures(r) for r in await _report(env, shift, by=("agent",))}
    alice, bob = rows["alice"], rows["bob"]
    # Alice: 1, 5, 9, X, Z and two withheld; right party all but Z; 5 repeats 1.
    assert (alice["calls_with_agent"], alice["right_party_contacts"]) == (7, 6)
    assert (alice["calls_handled"], alice["repeat_contacts"]) == (6, 1)
    assert alice["first_contact_resolution"] == 83.33
    assert (alice["revenue"], alice["conversions"]) == (120.5, 1)
    # Bob: 2 (not right party, repeats 1), 6 (sale), Y (repeats Y on 03-04).
    assert (bob["calls_with_agent"], bob["right_party_contacts"], bob["right_party_rate"]) == (
        3,
        2,
        66.67,
    )
    assert (bob["calls_handled"], bob["repeat_contacts"], bob["first_contact_resolution"]) == (
        2,
        2,
        0.0,
    )
    assert (bob["revenue"], bob["revenue_per_sale"]) == (99.9, 99.9)

    by_campaign = {r["campaign"]: r for r in await _report(env, shift, by=("campaign",))}
    spring = by_campaign["Spring"]  # 6 and 9: the campaign's two connects
    assert (spring["right_party_contacts"], spring["right_party_rate"]) == (2, 100.0)
    assert (spring["revenue"], spring["first_contact_resolution"]) == (99.9, None)


async def test_a_repeat_counts_in_the_interval_it_ended_in(env: Env, shift: Shift) -> None:
    hours = {
        r["period"][11:16]: (r["calls_handled"], r["repeat_contacts"])
        for r in await _report(env, shift, granularity="hour")
    }
    assert hours["09:00"] == (3, 2)  # 2 and 5 repeat 1 within the hour
    assert hours["11:00"] == (2, 1)  # Y repeats a call of six days before
    assert hours["12:00"] == (3, 0)


async def test_a_longer_window_makes_more_repeats(env: Env, shift: Shift) -> None:
    """The window is the organisation's; after a change, a rebuild applies it: X's call of
    eight days before is now within nine."""
    async with env.sessions() as s:
        await s.execute(
            update(Organization)
            .where(Organization.id == shift.org_id)
            .values(repeat_contact_days=9)
        )
        await rebuild(s, shift.org_id, DAY, DAY + timedelta(days=1))
        await s.commit()
    [total] = await _report(env, shift)
    assert (total["repeat_contacts"], total["first_contact_resolution"]) == (4, 50.0)
