from __future__ import annotations

import pytest
from tests.unit.dialer.pacing_helpers import snap

from omnivox.dialer.pacing.budget import BudgetConfig, next_abandon_rate
from omnivox.dialer.pacing.people import PersonEstimator


def test_budget_aims_under_the_cap_and_repays_overage() -> None:
    cfg = BudgetConfig(target=0.03, z=1.0)
    s = snap(now=14400.0)
    on_target = next_abandon_rate(cfg, s, abandons=27.0, answers=1000.0)
    assert on_target < 0.03  # the noise margin
    over = next_abandon_rate(cfg, s, abandons=40.0, answers=1000.0)
    under = next_abandon_rate(cfg, s, abandons=10.0, answers=1000.0)
    assert under > on_target > over


def test_daily_window_needs_a_wider_margin() -> None:
    s = snap(now=14400.0)
    monthly = next_abandon_rate(BudgetConfig(z=0.75), s, 10.0, 500.0)
    daily = next_abandon_rate(BudgetConfig(z=2.0), s, 10.0, 500.0)
    assert daily < monthly


def test_people_share_follows_ring_time() -> None:
    est = PersonEstimator(bins=40, half_life=1000.0)
    call = 0
    for _ in range(200):  # people answer at ~8 s, machines at ~18 s
        for ring, machine in ((8.0, False), (18.0, True)):
            est.answered(call, ring)
            est.connected_call_ended(call, machine)
            call += 1
    share = est.share_by_ring_time()
    assert share[8] > 0.95
    assert share[18] < 0.05
    for ring in (18.0, 18.0, 18.0, 8.0):  # drops are mostly late answers: machines
        est.answered(call, ring)
        est.dropped(call)
        call += 1
    assert est.drop_share() == pytest.approx(0.25, abs=0.03)
    assert est.answer_share() == pytest.approx(0.5, abs=0.03)
