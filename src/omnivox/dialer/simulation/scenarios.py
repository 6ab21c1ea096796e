"""The benchmark scenarios S1-S11 and the knobs of the simulated world.

Times are seconds from the start of the campaign's day. ``Profile`` values are piecewise
linear in hours (repeat an hour for a step change).
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, field

Profile = tuple[tuple[float, float], ...]


def flat(value: float) -> Profile:
    return ((0.0, value),)


def profile_at(profile: Profile, hour: float) -> float:
    """Piecewise-linear value of ``profile`` at ``hour``; the last point wins at a step."""
    hours = [h for h, _ in profile]
    i = bisect.bisect_right(hours, hour)
    if i == 0:
        return profile[0][1]
    if i == len(profile):
        return profile[-1][1]
    (h0, v0), (h1, v1) = profile[i - 1], profile[i]
    return v0 if h1 == h0 else v0 + (v1 - v0) * (hour - h0) / (h1 - h0)


@dataclass(frozen=True, slots=True)
class Rule:
    """A regulatory abandon rule."""

    name: str
    cap: float
    daily_window: bool  # UK: every day is its own window; US: 30-day window
    count_amd_false_positives: bool
    lockout_h: float  # no redial of an abandoned lead for this long (UK: 72 h)


US_3 = Rule("US 3%", 0.03, daily_window=False, count_amd_false_positives=False, lockout_h=0.0)
UK_3 = Rule("UK 3%", 0.03, daily_window=True, count_amd_false_positives=True, lockout_h=72.0)
UK_1 = Rule("UK 1%", 0.01, daily_window=True, count_amd_false_positives=True, lockout_h=72.0)

# Relative live-answer rate by the contact's local hour (8:00-21:00 calling window).
ANSWER_CURVE: Profile = (
    (8.0, 0.8),
    (10.0, 1.0),
    (12.0, 0.85),
    (14.0, 1.0),
    (17.0, 1.2),
    (19.0, 1.25),
    (21.0, 1.0),
)


@dataclass(frozen=True, slots=True)
class Shift:
    """``agents`` log in around ``start_h`` and log out around ``end_h`` (spread ``spread_min``)."""

    start_h: float
    end_h: float
    agents: int
    spread_min: float = 5.0


@dataclass(frozen=True, slots=True)
class Scenario:
    id: str
    title: str
    shifts: tuple[Shift, ...]
    hours: float
    human: Profile  # live (person) answer probability per attempt
    machine: float
    talk_mean: Profile  # seconds
    wrap_mean: float
    rules: tuple[Rule, ...] = (US_3,)
    talk_cv: float = 1.0
    wrap_cv: float = 0.5
    busy: float = 0.08
    invalid: float = 0.05
    human_answer_median: float = 9.0
    human_answer_sigma: float = 0.5
    machine_answer_median: float = 18.0
    machine_answer_sigma: float = 0.35
    ring_timeout: float = 22.0
    busy_s: float = 4.0
    invalid_s: float = 2.0
    machine_talk_s: float = 8.0  # an agent recognising a machine (no AMD)
    machine_wrap_s: float = 4.0
    amd: bool = False
    amd_latency: tuple[float, float] = (1.5, 3.0)
    amd_false_positive: float = 0.05  # person classified as machine (hung up on)
    amd_false_negative: float = 0.15  # machine classified as person (sent to an agent)
    grace_s: float = 2.0
    timezones: tuple[float, ...] = (0.0,)  # contacts' offsets from the campaign clock (h)
    answer_curve: bool = False
    start_hour: float = 9.0  # campaign-local clock at t = 0
    calling_window: tuple[float, float] = (8.0, 21.0)
    pause_share_per_hour: float = 0.0
    pause_minutes: tuple[float, float] = (5.0, 15.0)
    lines_per_agent: int = 3
    calls_per_second: int = 20
    retry_after_h: float = 2.0
    max_attempts: int = 6
    tick_s: float = 1.0
    notes: str = field(default="")

    def amd_false_positive_share(self) -> float:
        """Share of AMD's machine verdicts that are people: what a campaign measures by
        reviewing machine-classified calls, and sets as its false-positive estimate."""
        if not self.amd:
            return 0.0
        hours = [h / 4.0 for h in range(int(self.hours * 4) + 1)]
        human = sum(profile_at(self.human, h) for h in hours) / len(hours)
        people = human * lognormal_cdf(
            self.ring_timeout, self.human_answer_median, self.human_answer_sigma
        )
        machines = self.machine * lognormal_cdf(
            self.ring_timeout, self.machine_answer_median, self.machine_answer_sigma
        )
        wrong = people * self.amd_false_positive
        caught = machines * (1.0 - self.amd_false_negative)
        return wrong / (wrong + caught) if wrong + caught > 0 else 0.0

    @property
    def agents(self) -> int:
        return max(s.agents for s in self.shifts)

    @property
    def duration_s(self) -> float:
        return self.hours * 3600.0

    def talk_sigma(self) -> float:
        return math.sqrt(math.log(1.0 + self.talk_cv**2))

    def wrap_sigma(self) -> float:
        return math.sqrt(math.log(1.0 + self.wrap_cv**2))


def lognormal_cdf(x: float, median: float, sigma: float) -> float:
    return 0.5 * (1.0 + math.erf(math.log(x / median) / (sigma * math.sqrt(2.0))))


def _day(agents: int, hours: float = 8.0) -> tuple[Shift, ...]:
    return (Shift(0.0, hours, agents),)


SCENARIOS: dict[str, Scenario] = {
    s.id: s
    for s in (
        Scenario("S1", "B2C", _day(20), 8.0, flat(0.20), 0.25, flat(150.0), 20.0),
        Scenario("S2", "large", _day(100), 8.0, flat(0.20), 0.25, flat(150.0), 20.0),
        Scenario("S3", "small", _day(6), 8.0, flat(0.25), 0.20, flat(240.0), 30.0),
        Scenario(
            "S4",
            "collections",
            _day(40),
            8.0,
            flat(0.08),
            0.30,
            flat(300.0),
            60.0,
            amd=True,
            timezones=(0.0, -1.0, -2.0, -3.0),
            answer_curve=True,
        ),
        Scenario(
            "S5",
            "drifting day",
            (Shift(0.0, 6.0, 30, 15.0), Shift(6.0, 12.0, 30, 15.0)),
            12.0,
            ((0.0, 0.10), (1.0, 0.10), (11.0, 0.30), (12.0, 0.30)),
            0.25,
            flat(180.0),
            30.0,
            start_hour=8.0,
        ),
        Scenario(
            "S6",
            "shock",
            _day(30),
            8.0,
            ((0.0, 0.20), (3.0, 0.20), (3.0, 0.10)),
            0.25,
            ((0.0, 150.0), (5.0, 150.0), (5.0, 300.0)),
            20.0,
        ),
        Scenario(
            "S7",
            "UK",
            _day(25),
            8.0,
            flat(0.22),
            0.30,
            flat(200.0),
            30.0,
            rules=(UK_3, UK_1),
        ),
        Scenario(
            "S8",
            "pauses",
            _day(30),
            8.0,
            flat(0.20),
            0.25,
            flat(150.0),
            20.0,
            pause_share_per_hour=0.2,
        ),
        Scenario(
            "S9",
            "long calls",
            _day(20),
            8.0,
            flat(0.15),
            0.25,
            flat(420.0),
            45.0,
            talk_cv=2.0,
        ),
        # Issue 14: the UK rule with AMD on. AMD is assumed far better than the 5 % of S4:
        # 0.4 % of people classified as machines (each an abandon under the rule).
        Scenario(
            "S10",
            "UK AMD",
            _day(16),
            8.0,
            flat(0.22),
            0.35,
            flat(200.0),
            30.0,
            rules=(UK_1,),
            amd=True,
            amd_false_positive=0.004,
        ),
        # Issue 14: machines answer three times as often as people; AMD on (S4's errors).
        Scenario(
            "S11",
            "AMD-heavy",
            _day(20),
            8.0,
            flat(0.15),
            0.45,
            flat(150.0),
            20.0,
            amd=True,
        ),
    )
}
