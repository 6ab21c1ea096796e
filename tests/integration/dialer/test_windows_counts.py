"""The wallboard reads every active campaign's legal window, agents and open lines in one
query each (``campaigns_now``); the pacer reads its own campaign's (``window_counts``,
``agents_now``). On generated calls — every state, machine verdicts reviewed or not,
answers on the window's edge, other campaigns' and organisations' calls, queue calls —
both give the numbers a brute-force count over the stored rows gives, on both backends:
the pacer's cap and the tiles are the same count."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from tests.integration.dialer.window_brute import brute_window
from tests.support import Env

from omnivox.agents.models import AgentStatus
from omnivox.campaigns.models import Campaign
from omnivox.core.security.permissions import Role
from omnivox.dialer import campaigns_now
from omnivox.dialer.floor import (
    AgentsNow,
    WindowAsk,
    WindowCounts,
    agents_now,
    window_counts,
    windows_counts,
)
from omnivox.dialer.models import MACHINE_CONFIRMED, PERSON_AFTER_MACHINE, AmdReview
from omnivox.telephony import TERMINAL_STATES, CallState
from omnivox.telephony.models import AgentLine, Call

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
REASONS = [None, "machine", "abandoned", "agent_hangup", "customer_hangup"]
AGENT_STATES = ["available", "on_call", "reserved", "wrap_up", "break", "offline"]


def _campaign(org: str, name: str, hours: int, agents: list[str], estimate: str) -> Campaign:
    return Campaign(
        organization_id=org,
        name=name,
        dial_mode="predictive",
        status="active",
        window_start=time(0),
        window_end=time(23, 59),
        abandon_rate_cap=Decimal("0.03"),
        abandon_window_hours=hours,
        agent_ids=agents,
        amd_false_positive_estimate=Decimal(estimate),
    )


def _calls(rng: random.Random, org: str, owners: list[tuple[str, str]], n: int) -> list[Call]:
    calls = []
    for i in range(n):
        kind, owner = rng.choice(owners)
        created = NOW - timedelta(hours=rng.uniform(0, 24 * 40))
        answered: datetime | None = None
        pick = rng.random()
        if pick < 0.6:
            answered = min(NOW, created + timedelta(seconds=rng.uniform(1, 30)))
        elif pick < 0.7:  # exactly on a window's edge (24 h or 30 days back): counted
            answered = NOW - timedelta(hours=rng.choice([24, 720]))
        calls.append(
            Call(
                organization_id=org,
                direction="outbound",
                owner_kind=kind,
                owner_id=owner,
                state=rng.choice(list(CallState)).value,
                provider="sandbox",
                from_number="+14155550100",
                to_number=f"+1415555{i:04d}",
                conference_name=f"ovx-{org[:8]}-{i}",
                created_at=created,
                answered_at=answered,
                end_reason=rng.choice(REASONS),
            )
        )
    return calls


@dataclass(frozen=True)
class Row:
    id: str
    organization_id: str
    owner_kind: str
    owner_id: str
    state: str
    end_reason: str | None
    answered_at: datetime | None


def _brute(calls: list[Row], verdicts: dict[str, str], org: str, ask: WindowAsk) -> WindowCounts:
    return brute_window(calls, verdicts, org, ask, NOW)


def _in_order(agents: AgentsNow) -> AgentsNow:
    """The agents as a set (rows come in the order each query's plan reads them)."""
    return replace(
        agents,
        talking_since=sorted(agents.talking_since),
        wrapping_since=sorted(agents.wrapping_since),
    )


async def _world(env: Env, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    org = await env.org(f"acme{seed}")
    other = await env.org(f"other{seed}")
    agents = [await env.user(org, f"a{i}-{seed}@acme.example.com", Role.AGENT) for i in range(10)]
    async with env.sessions() as s:
        # The US rule (30 days), the UK rule (24 h, AMD false positives counted), a campaign
        # with no calls; agents shared between campaigns, one agent on none.
        us = _campaign(org, "US", 720, agents[:6], "0")
        uk = _campaign(org, "UK", 24, agents[3:9], "0.25")
        idle = _campaign(org, "Idle", 720, agents[8:], "0")
        theirs = _campaign(other, "Theirs", 720, [], "0")
        s.add_all([us, uk, idle, theirs])
        await s.flush()
        owners = [("campaign", us.id), ("campaign", uk.id), ("queue", us.id)]
        calls = _calls(rng, org, owners, 400)
        # Another organisation's calls under the same owner ids are not ours.
        calls += _calls(rng, other, [("campaign", us.id), ("campaign", theirs.id)], 60)
        s.add_all(calls)
        await s.flush()
        verdicts = {}
        for c in calls:
            if c.owner_kind == "campaign" and c.organization_id == org and rng.random() < 0.3:
                verdict = rng.choice([PERSON_AFTER_MACHINE, MACHINE_CONFIRMED])
                verdicts[c.id] = verdict
                s.add(
                    AmdReview(
                        organization_id=org,
                        call_id=c.id,
                        campaign_id=c.owner_id,
                        verdict=verdict,
                        answered_by="machine_start",
                    )
                )
        for i, user_id in enumerate(agents[:-1]):  # the last one never signed in
            state = "available" if i == 0 else rng.choice(AGENT_STATES)  # one ready at least
            s.add(
                AgentStatus(
                    organization_id=org,
                    user_id=user_id,
                    state=state,
                    since=NOW - timedelta(seconds=i),
                )
            )
            if i == 0 or rng.random() < 0.7:
                s.add(AgentLine(organization_id=org, user_id=user_id, status="connected"))
        # What was stored, as plain values (the rows expire when the session commits).
        rows = [
            Row(
                c.id,
                c.organization_id,
                c.owner_kind,
                c.owner_id,
                c.state,
                c.end_reason,
                c.answered_at,
            )
            for c in calls
        ]
        campaigns = [
            (c.id, c.name, c.abandon_window_hours, list(c.agent_ids)) for c in (us, uk, idle)
        ]
        await s.commit()
    return {"org": org, "campaigns": campaigns, "calls": rows, "verdicts": verdicts}


async def test_grouped_windows_agents_and_lines_equal_a_count_of_the_rows(env: Env) -> None:
    for seed in (1, 2, 3):
        w = await _world(env, seed)
        org, (us, uk, idle), calls = w["org"], w["campaigns"], w["calls"]
        async with env.sessions() as s:
            rows = [await s.get(Campaign, c[0]) for c in (us, uk, idle)]
            grouped = await campaigns_now(s, org, [r for r in rows if r is not None], NOW)
            asks = [
                WindowAsk(us[0], 720),
                WindowAsk(uk[0], 24, 0.25),
                WindowAsk(idle[0], 720),
            ]
            # The same campaign counted under both rules (its 30 days, with reviews).
            both = [*asks, WindowAsk(us[0], 720, 0.4)]
            for ask in both:
                expected = _brute(calls, w["verdicts"], org, ask)
                one = await window_counts(
                    s, org, ask.campaign_id, NOW, ask.hours, ask.amd_fp_estimate
                )
                together = await windows_counts(s, org, [a for a in both if a != ask] + [ask], NOW)
                assert together[ask.campaign_id] == one == expected, (seed, ask)
                if ask in asks:
                    assert grouped[ask.campaign_id].window == expected, (seed, ask)
                if ask.amd_fp_estimate is not None:
                    assert expected.machine_verdicts > 0, (seed, ask)
                if ask.hours == 720 and ask.amd_fp_estimate:
                    assert expected.reviewed_people > 0 and expected.abandons > 0, (seed, ask)
            over = {*TERMINAL_STATES, CallState.WRAP_UP}
            for campaign_id, name, _hours, agent_ids in (us, uk, idle):
                alone = await agents_now(s, org, agent_ids, NOW)
                assert _in_order(grouped[campaign_id].agents) == _in_order(alone), (seed, name)
                open_lines = sum(
                    1
                    for call in calls
                    if call.organization_id == org
                    and call.owner_kind == "campaign"
                    and call.owner_id == campaign_id
                    and call.state not in over
                )
                assert grouped[campaign_id].open_lines == open_lines, (seed, name)
            # The counts are not trivially zero: the generated floor has all of it.
            assert grouped[us[0]].open_lines > 0
            assert any(grouped[c[0]].agents.ready for c in (us, uk, idle))
