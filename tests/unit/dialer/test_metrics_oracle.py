from __future__ import annotations

import pytest

from omnivox.dialer.simulation.metrics import (
    RunMetrics,
    summarise,
    t_quantile_95,
    upper_bound_95,
    violations,
)
from omnivox.dialer.simulation.oracle import FamilySearch, routed_answer_rate
from omnivox.dialer.simulation.scenarios import SCENARIOS, UK_3, US_3


def run(abandons: int, routed: int, talk: float = 3600.0) -> RunMetrics:
    m = RunMetrics(hours=1)
    m.human_abandons, m.human_routed, m.talk_s = abandons, routed, talk
    m.logged_in_s = m.available_s = 3600.0
    m.dials = m.connects = 10
    return m


def test_t_quantile() -> None:
    assert t_quantile_95(19) == pytest.approx(1.729, abs=0.002)
    assert t_quantile_95(5) == pytest.approx(2.015, abs=0.02)


def test_upper_bound_and_violations() -> None:
    runs = [run(2, 100), run(4, 100)]
    assert upper_bound_95([0.02, 0.04]) > 0.03
    assert violations(runs, UK_3) == 1  # day 2 at 4%
    assert violations(runs, US_3) == 0  # pooled 30-day period at 3%
    s = summarise(runs, US_3)
    assert s.abandon_mean == pytest.approx(0.03)
    assert not s.compliant  # the upper bound is over the cap


def test_family_search_brackets_and_narrows() -> None:
    search = FamilySearch("power", US_3, [2.0, 3.0, 4.0])
    results = {
        "power:2": [run(1, 100)] * 3,
        "power:3": [run(2, 100)] * 3,
        "power:4": [run(9, 100)] * 3,
    }
    search.update(results)
    assert (search.lo, search.hi) == (3.0, 4.0)
    # Excess over the cap: -1 point at r=3, +6 points at r=4 -> interpolated near 3.14,
    # kept 15% of the bracket away from its ends.
    assert search.next_value() == 3.15
    assert search.best() == (3.0, 60.0)


def test_routed_answer_rate() -> None:
    assert 0.35 < routed_answer_rate(SCENARIOS["S1"]) < 0.45
    assert routed_answer_rate(SCENARIOS["S4"]) < 0.15
