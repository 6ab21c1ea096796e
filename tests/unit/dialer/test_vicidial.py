from __future__ import annotations

from tests.unit.dialer.pacing_helpers import snap

from omnivox.dialer.pacing import DropControl, VicidialAdaptivePolicy


def _run(policy: VicidialAdaptivePolicy, seconds: int, **kw: object) -> None:
    for t in range(seconds):
        policy.decide(snap(now=float(t), **kw))  # type: ignore[arg-type]


def test_level_rises_while_agents_wait_and_is_capped() -> None:
    p = VicidialAdaptivePolicy(DropControl.HARD_LIMIT)
    _run(p, 16, ready_agents=5, talking_since=(0.0,) * 5)
    assert p.level == 1.5  # 1 x (1 + (5 - 0) / 10)
    _run(p, 200, ready_agents=5, talking_since=(0.0,) * 5)
    assert p.level == 3.0


def test_level_falls_when_calls_wait() -> None:
    p = VicidialAdaptivePolicy(DropControl.AVERAGE)
    p.level = 2.0
    _run(p, 16, ready_agents=0, talking_since=(0.0,) * 10, waiting_since=(0.0,) * 5)
    assert p.level == 1.0


def test_calls_to_place() -> None:
    p = VicidialAdaptivePolicy(DropControl.HARD_LIMIT)
    p.level = 2.0
    s = snap(ready_agents=3, talking_since=(0.0,) * 7, ringing_since=(0.0,) * 4)
    # round(2 x 10) - (4 ringing + 7 talking)
    assert p.decide(s) == 9


def test_hard_limit_resets_to_one_over_the_drop_limit() -> None:
    p = VicidialAdaptivePolicy(DropControl.HARD_LIMIT)
    p.level = 2.5
    _run(
        p, 16, ready_agents=5, talking_since=(0.0,) * 5, window_abandons=4, window_live_answers=100
    )
    assert p.level == 1.0


def test_average_halves_over_the_drop_limit() -> None:
    p = VicidialAdaptivePolicy(DropControl.AVERAGE)
    p.level = 2.0
    _run(
        p, 16, ready_agents=0, talking_since=(0.0,) * 10, window_abandons=4, window_live_answers=100
    )
    assert p.level == 1.0  # 2 -> (no change from ready) -> halved
    p = VicidialAdaptivePolicy(DropControl.AVERAGE)
    p.level = 3.0
    _run(
        p, 16, ready_agents=0, talking_since=(0.0,) * 10, window_abandons=4, window_live_answers=100
    )
    assert p.level == 1.5


def test_tapered_tolerates_overage_early_but_not_late() -> None:
    early = VicidialAdaptivePolicy(DropControl.TAPERED)
    early.level = 2.0
    kw = {"talking_since": (0.0,) * 10, "window_abandons": 5, "window_live_answers": 100}
    _run(early, 16, **kw)  # 5% < 3% x (1 + ~1): tolerated at the start of the day
    assert early.level == 2.0
    late = VicidialAdaptivePolicy(DropControl.TAPERED)
    late.level = 2.0
    for t in range(28000, 28016):
        late.decide(snap(now=float(t), **kw))  # type: ignore[arg-type]
    assert late.level < 1.1
