from __future__ import annotations

import dataclasses

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.unit.dialer.pacing_helpers import snap

from omnivox.dialer.pacing import OmnivoxPacer, PolicyContext, build_policy
from omnivox.dialer.pacing.estimators import DurationModel, normal_cdf
from omnivox.dialer.simulation import SCENARIOS, Simulator
from omnivox.dialer.simulation.scenarios import Shift


@given(st.floats(-8, 8))
def test_normal_cdf(x: float) -> None:
    import math

    expected = 0.5 * (1 + math.erf(x / math.sqrt(2)))
    assert abs(float(normal_cdf(np.array([x]))[0]) - expected) < 1e-6


def test_duration_model_conditions_on_elapsed() -> None:
    m = DurationModel(prior_mean=20.0, max_value=600.0, half_life=100.0)
    for _ in range(200):
        m.add(20.0)
    m.refresh()
    p = m.end_within(np.array([0.0, 19.5]), np.array([1.0, 5.0]))
    assert p[0, 0] < 0.05  # a fresh wrap-up almost never ends within a second
    assert p[1, 1] > 0.9  # one at 19.5 s almost surely ends within 5 s


def test_no_agents_no_dials() -> None:
    assert OmnivoxPacer().decide(snap(ready_agents=0)) == 0


def test_dials_more_for_more_ready_agents() -> None:
    few = OmnivoxPacer().decide(snap(ready_agents=2))
    many = OmnivoxPacer().decide(snap(ready_agents=20))
    assert 1 <= few < many
    # Never more live answers expected than agents free, by a wide margin.
    assert many <= 20 / 0.3 * 1.5


def test_outstanding_dials_reduce_new_dials() -> None:
    fresh = OmnivoxPacer().decide(snap(ready_agents=10))
    busy = OmnivoxPacer().decide(snap(ready_agents=10, ringing_since=(999.0,) * 20))
    assert busy < fresh


def test_agents_about_to_finish_wrap_up_attract_dials() -> None:
    # No one ready, but ten agents 19 s into a ~20 s wrap-up: dial ahead for them.
    pacer = OmnivoxPacer()
    n = pacer.decide(snap(ready_agents=0, wrapping_since=(981.0,) * 10))
    assert n >= 3


@settings(max_examples=30, deadline=None)
@given(
    ready=st.integers(0, 30),
    talking=st.lists(st.floats(0, 900), max_size=60),
    ringing=st.lists(st.floats(0, 25), max_size=60),
)
def test_decisions_are_within_limits(
    ready: int, talking: list[float], ringing: list[float]
) -> None:
    s = snap(
        ready_agents=ready,
        talking_since=tuple(1000.0 - t for t in talking),
        ringing_since=tuple(1000.0 - r for r in ringing),
        line_limit=3 * (ready + len(talking)),
        dial_limit=20,
    )
    n = OmnivoxPacer().decide(s)
    assert 0 <= n <= max(0, min(20, s.line_limit - s.lines_in_use))


def test_stays_compliant_on_a_short_run() -> None:
    sc = dataclasses.replace(SCENARIOS["S1"], hours=3.0, shifts=(Shift(0.0, 3.0, 20),))
    ctx = PolicyContext(abandon_target=0.03)
    dropped = answered = 0
    for seed in (0, 1):
        m = Simulator(sc, build_policy("omnivox", ctx), seed).run()
        dropped += m.human_abandons
        answered += m.human_routed
        assert m.connects > 500
    assert dropped / answered <= 0.03
