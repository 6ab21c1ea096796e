"""The wait estimator: silent without data, per-place EWMA, follows change."""

from __future__ import annotations

import pytest

from omnivox.routing import WaitEstimator


def test_says_nothing_until_enough_real_waits() -> None:
    est = WaitEstimator(min_samples=3)
    est.record(30, 1)
    est.record(30, 1)
    assert est.estimate(1) is None
    est.record(30, 1)
    assert est.estimate(1) == pytest.approx(30)
    assert est.estimate(4) == pytest.approx(120)


def test_wait_is_normalised_by_the_position_joined_at() -> None:
    est = WaitEstimator(min_samples=1)
    est.record(100, 5)  # 20 s per place
    assert est.seconds_per_place == pytest.approx(20)


def test_recent_waits_weigh_more() -> None:
    est = WaitEstimator(alpha=0.5, min_samples=1)
    for _ in range(10):
        est.record(60, 1)
    for _ in range(10):
        est.record(10, 1)  # staffing went up
    assert est.estimate(1) == pytest.approx(10, abs=0.1)


def test_negative_waits_from_clock_skew_count_as_zero() -> None:
    est = WaitEstimator(min_samples=1)
    est.record(-2, 1)
    assert est.estimate(1) == 0


@pytest.mark.parametrize(
    "bad",
    [
        lambda: WaitEstimator(alpha=0),
        lambda: WaitEstimator(min_samples=0),
        lambda: WaitEstimator().record(1, 0),
        lambda: WaitEstimator().estimate(0),
    ],
)
def test_refusals(bad) -> None:
    with pytest.raises(ValueError):
        bad()
