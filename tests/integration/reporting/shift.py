"""One scripted morning (2026-03-10, UTC) whose figures are worked out by hand in the
tests: two queues, one campaign, two agents. See ``test_reports.py`` for the sums."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from decimal import Decimal

from tests.integration.reporting.script import Inbound, Outbound, insert_call, insert_states
from tests.support import Env

from omnivox.campaigns import Campaign
from omnivox.core.security.permissions import Role
from omnivox.routing import Queue

DAY = datetime(2026, 3, 10, tzinfo=UTC)
#: The two sales' amounts (Alice's inbound, Bob's outbound), in the organisation's USD.
SOLD = (Decimal("120.50"), Decimal("99.90"))


def at(hh: int, mm: int, ss: int = 0) -> datetime:
    return DAY.replace(hour=hh, minute=mm, second=ss)


@dataclass
class Shift:
    org_id: str
    alice: str
    bob: str
    support: str
    sales: str
    spring: str
    uk: str
    call_ids: list[str] = field(default_factory=list)
    # (user, at, state, reason) in the order they happened.
    changes: list[tuple[str, datetime, str, str | None]] = field(default_factory=list)


def _campaign(org_id: str, name: str, window_hours: int) -> Campaign:
    return Campaign(
        organization_id=org_id,
        name=name,
        dial_mode="predictive",
        window_start=time(9),
        window_end=time(20),
        abandon_rate_cap=Decimal("0.03"),
        abandon_window_hours=window_hours,
    )


async def build_shift(env: Env, slug: str = "acme", tz: str = "UTC") -> Shift:
    org_id = await env.org(slug, tz)
    alice = await env.user(org_id, f"alice@{slug}.example.com", Role.AGENT)
    bob = await env.user(org_id, f"bob@{slug}.example.com", Role.AGENT)
    async with env.sessions() as s:
        support = Queue(organization_id=org_id, name="Support", service_level_seconds=20)
        sales = Queue(organization_id=org_id, name="Sales", service_level_seconds=25)
        spring, uk = _campaign(org_id, "Spring", 720), _campaign(org_id, "UK", 24)
        s.add_all([support, sales, spring, uk])
        await s.flush()
        shift = Shift(org_id, alice, bob, support.id, sales.id, spring.id, uk.id)
        q, c = "queue", "campaign"
        calls = [
            (
                Inbound(at(9, 0), 8, 120, 30, 20, disposition="SALE", sale_amount=SOLD[0]),
                (q, support.id),
                alice,
            ),
            (Inbound(at(9, 5), 25, 60, 0, 10, disposition="INTERESTED"), (q, support.id), bob),
            (Inbound(at(9, 10), 5, abandon=True, disposition="ABANDONED"), (q, support.id), None),
            (Inbound(at(9, 20), 40, abandon=True, disposition="ABANDONED"), (q, support.id), None),
            (Inbound(at(9, 14, 50), 15, 30, disposition="NOT_INTERESTED"), (q, sales.id), alice),
            (
                Outbound(at(10, 0), 10, 200, 30, disposition="SALE", sale_amount=SOLD[1]),
                (c, spring.id),
                bob,
            ),
            (Outbound(at(10, 1), 5, machine=True, disposition="VOICEMAIL"), (c, spring.id), None),
            (Outbound(at(10, 2), 8, abandon=True, disposition="ABANDONED"), (c, spring.id), None),
            (Outbound(at(10, 3), 12, 100, 20, disposition="NOT_INTERESTED"), (c, spring.id), alice),
        ]
        for spec, owner, agent in calls:
            shift.call_ids.append(await insert_call(s, org_id, spec, owner=owner, agent_id=agent))
        alice_day = [
            (at(8, 50), "available", None),
            (at(9, 0, 8), "on_call", None),
            (at(9, 2, 38), "wrap_up", None),
            (at(9, 2, 58), "available", None),
            (at(9, 30), "break", "lunch"),
            (at(10, 0), "available", None),
            (at(10, 30), "offline", None),
        ]
        bob_day = [(at(9, 0), "available", None), (at(11, 0), "offline", None)]
        await insert_states(s, org_id, alice, alice_day)
        await insert_states(s, org_id, bob, bob_day)
        await s.commit()
    shift.changes = sorted(
        [(alice, a, st, r) for a, st, r in alice_day] + [(bob, a, st, r) for a, st, r in bob_day],
        key=lambda c: c[1],
    )
    return shift
