from __future__ import annotations

import pytest
from tests.unit.dialer.pacing_helpers import snap

from omnivox.dialer.pacing import ErlangBRatePolicy, erlang_b
from omnivox.dialer.pacing.erlang import max_load


def test_erlang_b_known_values() -> None:
    assert erlang_b(1, 1.0) == pytest.approx(0.5)
    assert erlang_b(2, 1.0) == pytest.approx(0.2)
    assert erlang_b(10, 5.0) == pytest.approx(0.01838, abs=1e-4)


def test_max_load_meets_target() -> None:
    a = max_load(20, 0.03)
    assert erlang_b(20, a) <= 0.03 < erlang_b(20, a * 1.01)
    assert max_load(0, 0.03) == 0.0


def test_policy_dials_at_open_loop_rate() -> None:
    p = ErlangBRatePolicy(0.03)
    total = 0
    for t in range(1000):
        total += p.decide(snap(now=float(t), ready_agents=10))
    load = max_load(10, 0.03)
    rate = load / (p.learner.handle.value * p.learner.ring.live_rate)
    assert total == pytest.approx(rate * 999, rel=0.05)
