"""The abandon cap is a hard stop in every dial mode (issue 14): at or over the cap, the live
dialler places only calls an agent can take at once, one per ready agent and none while an
answered call waits for an agent; under the cap the mode's own policy decides."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from omnivox.dialer.dial_settings import DialSettings
from omnivox.dialer.floor import AgentsNow, CallsNow, WindowCounts
from omnivox.dialer.pacer import Pacer, policy_for

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
CAP = 0.03
AT_CAP = WindowCounts(abandons=3, live_answers=100)  # 3 %: at the cap
UNDER = WindowCounts(abandons=1, live_answers=100)


def settings(mode: str) -> DialSettings:
    return DialSettings(
        "c1",
        "o1",
        "active",
        mode,
        ["+14155550100"],
        "hangup",
        "",
        "",
        "",
        Decimal("0.03"),
        24,
        ["a", "b", "c", "d"],
    )


def agents(ready: int, talking: int = 0, let_go: int = 0) -> AgentsNow:
    return AgentsNow(
        ready=[(f"u{i}", T0 - timedelta(seconds=60 - i)) for i in range(ready)],
        paused=0,
        talking_since=[T0 - timedelta(seconds=30)] * talking,
        wrapping_since=[],
        offline=0,
        let_go=frozenset(f"u{i}" for i in range(let_go)),
    )


def calls(ringing: int = 0, waiting: int = 0) -> CallsNow:
    return CallsNow(
        ringing_since=[T0 - timedelta(seconds=2)] * ringing,
        waiting_since=[T0 - timedelta(seconds=1)] * waiting,
    )


def decide(mode: str, a: AgentsNow, c: CallsNow, w: WindowCounts) -> tuple[int, bool]:
    pacer = Pacer(policy_for(settings(mode)), T0 - timedelta(hours=1))
    wanted = pacer.decide(T0, a, c, w, CAP, 8 * 3600.0)
    return wanted, pacer.capped


@pytest.mark.parametrize("mode", ["progressive", "predictive"])
def test_at_the_cap_nothing_is_placed_while_an_answered_call_waits(mode: str) -> None:
    # Three agents ready, one answered call waiting for an agent (its agent is ringing).
    wanted, capped = decide(mode, agents(3), calls(waiting=1), AT_CAP)
    assert capped and wanted == 0


def test_under_the_cap_progressive_dials_for_the_other_ready_agents() -> None:
    wanted, capped = decide("progressive", agents(3), calls(waiting=1), UNDER)
    assert not capped and wanted == 2


@pytest.mark.parametrize("mode", ["progressive", "predictive"])
def test_at_the_cap_at_most_one_call_per_ready_agent(mode: str) -> None:
    wanted, capped = decide(mode, agents(4, talking=4), calls(ringing=1), AT_CAP)
    assert capped and wanted == 3  # four ready agents, one call already ringing for one


def test_at_the_cap_predictive_drops_to_what_it_can_connect() -> None:
    # Four ready agents and ten talking: predictive dials ahead of the agents who will
    # finish; at the cap, only one call per ready agent.
    under, _ = decide("predictive", agents(4, talking=10), calls(), UNDER)
    capped, _ = decide("predictive", agents(4, talking=10), calls(), AT_CAP)
    assert under > 4 and capped == 4
    # Four ready, four calls already ringing for them: nothing more at the cap.
    under, _ = decide("predictive", agents(4, talking=10), calls(ringing=4), UNDER)
    capped, _ = decide("predictive", agents(4, talking=10), calls(ringing=4), AT_CAP)
    assert under > 0 and capped == 0


def test_no_live_answers_yet_is_not_at_the_cap() -> None:
    _wanted, capped = decide("progressive", agents(1), calls(), WindowCounts(0, 0))
    assert not capped


@pytest.mark.parametrize("mode", ["progressive", "predictive"])
def test_at_the_cap_an_agent_who_let_their_last_call_go_is_not_counted(mode: str) -> None:
    # Three ready agents, one of whom did not take the last call offered to them.
    wanted, capped = decide(mode, agents(3, let_go=1), calls(), AT_CAP)
    assert capped and wanted == 2
    alone, _ = decide(mode, agents(1, let_go=1), calls(), AT_CAP)
    assert alone == 0  # the one agent left does not take calls: nothing is dialled
    under, _ = decide("progressive", agents(1, let_go=1), calls(), UNDER)
    assert under == 1  # under the cap, the mode's own policy decides
