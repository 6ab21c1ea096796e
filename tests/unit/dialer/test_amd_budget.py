"""Issue 14, the UK rule with AMD: people AMD hung up on as machines count as abandoned
calls, so the pacer's budget takes them out first (budget.py), the simulator hands the
policy the same estimate the live dialler does, and the two AMD scenarios run."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from tests.unit.dialer.pacing_helpers import snap

from omnivox.dialer.floor import AgentsNow, CallsNow, WindowCounts
from omnivox.dialer.pacer import Pacer, at_cap, cap_notice
from omnivox.dialer.pacing import OmnivoxPacer, PacingSnapshot, PolicyContext, build_policy
from omnivox.dialer.pacing.budget import (
    BudgetConfig,
    aim_rate,
    next_abandon_rate,
    pacing_abandon_rate,
)
from omnivox.dialer.simulation import SCENARIOS, Simulator
from omnivox.dialer.simulation.metrics import summarise
from omnivox.dialer.simulation.runner import Task, run_task
from omnivox.dialer.simulation.scenarios import UK_1, Shift

UK = BudgetConfig(target=0.01, z=2.0)


def test_without_false_positives_the_budget_is_unchanged() -> None:
    s = snap(now=14400.0)
    assert pacing_abandon_rate(UK, s, 4.0, 1000.0) == next_abandon_rate(UK, s, 4.0, 1000.0)
    assert pacing_abandon_rate(UK, s, 4.0, 1000.0, 0.0) == next_abandon_rate(UK, s, 4.0, 1000.0)


def test_false_positives_come_out_of_the_budget_first() -> None:
    """(A + F) / (L + F) is what the law counts: with F false positives so far and the same
    share f = F / (L + F) of the answers to come, pacing may spend (next - f) / (1 - f)."""
    s = snap(now=14400.0)
    abandons, answers, fp = 50.0, 10000.0, 30.0
    law_next = next_abandon_rate(UK, s, abandons + fp, answers + fp)
    share = fp / (answers + fp)
    got = pacing_abandon_rate(UK, s, abandons, answers, fp)
    assert got == pytest.approx((law_next - share) / (1 - share))
    assert got < next_abandon_rate(UK, s, abandons, answers)  # it dials less
    # Spending exactly that keeps the rate the law counts at ``law_next``.
    assert share + (1 - share) * got == pytest.approx(law_next)
    more = pacing_abandon_rate(UK, s, abandons, answers, 40.0)
    assert more < got


def test_false_positives_over_the_budget_leave_a_floor_not_zero() -> None:
    s = snap(now=14400.0)
    got = pacing_abandon_rate(UK, s, 0.0, 1000.0, 30.0)  # 3 % false positives: over 1 %
    assert got == pytest.approx(UK.min_pacing_share * aim_rate(UK, s, 1030.0))
    assert got > 0.0


def test_early_in_the_day_one_machine_verdict_is_not_a_share() -> None:
    s = snap(now=60.0)
    got = pacing_abandon_rate(UK, s, 0.0, 0.0, 0.05)  # nobody answered yet
    assert 0.0 < got <= next_abandon_rate(UK, s, 0.05, 0.05)


def _steered(fp: float) -> float:
    """The threshold after the same decisions, with ``fp`` false positives in the window."""
    ctx = PolicyContext(abandon_target=0.01, daily_window=True, amd=True)
    pacer = build_policy("omnivox", ctx)
    assert isinstance(pacer, OmnivoxPacer)
    for i in range(200):
        s: PacingSnapshot = snap(
            now=3600.0 + i,
            ready_agents=10,
            talking_since=tuple(3500.0 for _ in range(6)),
            window_abandons=2,
            window_live_answers=500,
            window_amd_false_positives=fp,
        )
        pacer.decide(s)
    return pacer.theta


def test_the_predictive_pacer_dials_less_with_false_positives_in_its_window() -> None:
    assert _steered(3.0) < _steered(0.0)


def test_simulator_gives_the_policy_the_estimate_times_machine_verdicts() -> None:
    class Spy(OmnivoxPacer):
        seen: list[float]

        def decide(self, snapshot: PacingSnapshot) -> int:
            self.seen.append(snapshot.window_amd_false_positives)
            return super().decide(snapshot)

    sc = dataclasses.replace(SCENARIOS["S10"], hours=0.5, shifts=(Shift(0.0, 0.5, 8),))
    spy = Spy()
    spy.seen = []
    sim = Simulator(sc, spy, 1, amd_fp_estimate=0.004)
    sim.run()
    assert sim.machine_verdicts > 20
    assert spy.seen[-1] == pytest.approx(0.004 * sim.machine_verdicts, rel=0.05)
    spy2 = Spy()
    spy2.seen = []
    Simulator(sc, spy2, 1).run()  # a rule that does not count them: nothing in the window
    assert max(spy2.seen) == 0.0


def test_the_two_amd_scenarios() -> None:
    uk, heavy = SCENARIOS["S10"], SCENARIOS["S11"]
    assert (uk.agents, uk.rules, uk.amd, uk.machine) == (16, (UK_1,), True, 0.35)
    assert uk.amd_false_positive == 0.004
    assert (heavy.amd, heavy.machine, heavy.human) == (True, 0.45, ((0.0, 0.15),))
    # The estimate a campaign would measure: people among machine verdicts.
    assert 0.003 < uk.amd_false_positive_share() < 0.005
    assert SCENARIOS["S7"].amd_false_positive_share() == 0.0  # AMD off


def test_uk_amd_day_counts_false_positives_and_stays_under_the_cap() -> None:
    """A UK AMD day as the benchmark runs it: the people AMD hung up on are in the rule's
    count, and the pacer, budgeting for them, keeps the day under 1 %."""
    _task, day = run_task(Task("S10", "omnivox", 0, 3))
    assert day.amd_false_positives > 0
    num, den = day.abandon_counts(UK_1)
    assert num == day.human_abandons + day.amd_false_positives
    assert den == day.human_routed + day.amd_false_positives
    assert summarise([day], UK_1).abandon_max <= 0.01


def test_the_live_pacer_passes_the_windows_false_positives_and_caps_on_them() -> None:
    """The live dialler's Pacer hands the window's AMD false positives to the policy, and the
    hard stop at the cap compares the rate as the UK rule counts it."""
    t0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)

    class Spy(OmnivoxPacer):
        seen: list[float]

        def decide(self, snapshot: PacingSnapshot) -> int:
            self.seen.append(snapshot.window_amd_false_positives)
            return super().decide(snapshot)

    spy = Spy()
    spy.seen = []
    agents = AgentsNow(
        ready=[("u1", t0 - timedelta(seconds=30))],
        paused=0,
        talking_since=[],
        wrapping_since=[],
        offline=0,
    )
    window = WindowCounts(abandons=1, live_answers=100, amd_false_positives=2.5)
    Pacer(spy, t0 - timedelta(hours=1)).decide(
        t0, agents, CallsNow([], []), window, 0.03, 8 * 3600.0
    )
    assert spy.seen == [2.5]
    assert window.rate == pytest.approx(3.5 / 102.5)
    assert at_cap(window, 0.03) and not at_cap(WindowCounts(1, 100), 0.03)
    note = cap_notice(window, 0.03, 24, agents)
    assert "3.4% of 100 live answers in the last 24 h were abandoned (with 2.5 people AMD" in note
