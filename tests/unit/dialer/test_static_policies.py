from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.unit.dialer.pacing_helpers import snap

from omnivox.dialer.pacing import (
    FixedRatioPolicy,
    ProgressivePolicy,
    StaticPowerPolicy,
    build_policy,
    canonical_spec,
    clamp_dials,
)


def test_snapshot_counts() -> None:
    s = snap(
        ready_agents=2,
        talking_since=(900.0, 950.0),
        wrapping_since=(990.0,),
        ringing_since=(995.0, 996.0, 997.0),
        waiting_since=(999.0,),
    )
    assert s.active_agents == 5
    assert s.lines_in_use == 6
    assert s.outstanding_dials == 4
    assert s.talk_elapsed() == (100.0, 50.0)
    assert s.ring_elapsed() == (5.0, 4.0, 3.0)


def test_progressive_keeps_one_dial_per_ready_agent() -> None:
    p = ProgressivePolicy()
    assert p.decide(snap(ready_agents=3)) == 3
    assert p.decide(snap(ready_agents=3, ringing_since=(999.0,))) == 2
    assert p.decide(snap(ready_agents=1, ringing_since=(999.0, 998.0))) == 0


def test_fixed_ratio_counts_ready_and_talking_not_wrapping() -> None:
    p = FixedRatioPolicy(2.0)
    s = snap(ready_agents=2, talking_since=(1.0, 2.0), wrapping_since=(3.0,))
    # target lines 2 x 4 = 8; in use: 2 talking
    assert p.decide(s) == 6


def test_static_power_keeps_r_times_ready_outstanding() -> None:
    p = StaticPowerPolicy(2.5)
    assert p.decide(snap(ready_agents=4, ringing_since=(1.0,) * 3)) == 7


def test_limits_are_respected() -> None:
    s = snap(ready_agents=10, line_limit=5, dial_limit=3, talking_since=(1.0,))
    assert clamp_dials(100, s) == 3
    assert StaticPowerPolicy(5.0).decide(snap(ready_agents=10, line_limit=4)) == 4


@given(
    ready=st.integers(0, 50),
    talking=st.integers(0, 50),
    ringing=st.integers(0, 100),
)
def test_progressive_equals_ratio_one_and_power_one(ready: int, talking: int, ringing: int) -> None:
    s = snap(ready_agents=ready, talking_since=(1.0,) * talking, ringing_since=(2.0,) * ringing)
    expected = ProgressivePolicy().decide(s)
    assert FixedRatioPolicy(1.0).decide(s) == expected
    assert StaticPowerPolicy(1.0).decide(s) == expected
    assert expected >= 0


def test_registry() -> None:
    assert canonical_spec("ratio:1") == "progressive"
    assert canonical_spec("power:1.0") == "progressive"
    assert canonical_spec("power:2.50") == "power:2.5"
    assert build_policy("ratio:2").name == "ratio-2"
    assert build_policy("hard_limit").name == "vicidial-hard-limit"
    with pytest.raises(ValueError, match="unknown"):
        build_policy("nope")
