"""The discrete-event dialler simulator: a heap of timed events plus a one-second pacing tick.

The policy only ever sees ``PacingEvent``s and ``PacingSnapshot``s, exactly as in the live
dialler; the simulator keeps the truth (who is a person, when a call will be answered) to
itself and to the metrics.
"""

from __future__ import annotations

import heapq
import math
from collections import OrderedDict

from omnivox.dialer.pacing.types import EventKind, PacingEvent, PacingPolicy, PacingSnapshot
from omnivox.dialer.simulation.draws import CallDraws
from omnivox.dialer.simulation.leads import LeadPool
from omnivox.dialer.simulation.metrics import RunMetrics
from omnivox.dialer.simulation.scenarios import ANSWER_CURVE, Scenario, profile_at
from omnivox.dialer.simulation.staff import (
    LOGIN,
    LOGOUT,
    PAUSE_END,
    AgentBook,
    staff_events,
)

# Heap event kinds (staff kinds 1-4 come from staff.py).
RESOLVE, AMD_DONE, DEADLINE, TALK_END, WRAP_END = 10, 11, 12, 13, 14
# Ring outcomes.
HUMAN, MACHINE, BUSY, FAILED, NO_ANSWER = 0, 1, 2, 3, 4
_OUTCOME_EVENT = {
    BUSY: EventKind.BUSY,
    FAILED: EventKind.FAILED,
    NO_ANSWER: EventKind.NO_ANSWER,
}


class Simulator:
    """One scenario, one policy, one seed. ``run()`` returns the day's ``RunMetrics``."""

    def __init__(
        self,
        scenario: Scenario,
        policy: PacingPolicy,
        seed: int,
        amd_fp_estimate: float = 0.0,
    ) -> None:
        """``amd_fp_estimate``: under a rule that counts AMD false positives, the campaign's
        estimate of the share of machine verdicts that were people; the snapshot carries
        estimate x machine verdicts so far, as the live dialler's does (0: not counted)."""
        self.s = scenario
        self.amd_fp_estimate = amd_fp_estimate
        self.machine_verdicts = 0
        self.policy = policy
        self.seed = seed
        self.observes = policy.observes_events
        self.draws = CallDraws(seed)
        self.leads = LeadPool(scenario)
        self.book = AgentBook(scenario.agents * len(scenario.shifts))
        self.metrics = RunMetrics(hours=math.ceil(scenario.hours))
        self.heap: list[tuple[float, int, int, int, float]] = []
        self._seq = 0
        self.now = 0.0
        self.end = scenario.duration_s
        self.ringing: dict[int, float] = {}
        self.waiting: OrderedDict[int, float] = OrderedDict()
        # call_id -> (lead, attempt, is_human, talk_s, wrap_s)
        self.calls: dict[int, tuple[int, int, bool, float, float]] = {}
        self.next_call = 0
        self.drops = 0
        self.live_answers = 0
        self.lockout = any(r.lockout_h > 0 for r in scenario.rules)
        self._dial_limit = int(scenario.calls_per_second * scenario.tick_s)
        self._tables()
        for t, kind, agent, arg in staff_events(scenario, seed):
            self.push(t, kind, agent, arg)

    # -- set-up ---------------------------------------------------------------------------
    def _tables(self) -> None:
        """Per-minute tables of the time-varying parameters (cheap lookups per dial)."""
        s = self.s
        minutes = int(s.hours * 60) + 2
        self.human_p = [profile_at(s.human, m / 60.0) for m in range(minutes)]
        sig = s.talk_sigma()
        self.talk_mu = [
            math.log(profile_at(s.talk_mean, m / 60.0)) - sig * sig / 2 for m in range(minutes)
        ]
        wsig = s.wrap_sigma()
        self.wrap_mu = math.log(s.wrap_mean) - wsig * wsig / 2
        self.curve = [profile_at(ANSWER_CURVE, h / 4.0) for h in range(24 * 4 + 8)]

    def push(self, t: float, kind: int, a: int, b: float = 0.0) -> None:
        self._seq += 1
        heapq.heappush(self.heap, (t, self._seq, kind, a, b))

    def emit(
        self, kind: EventKind, call_id: int = -1, agent_id: int = -1, machine: bool = False
    ) -> None:
        if self.observes:
            self.policy.observe(PacingEvent(kind, self.now, call_id, agent_id, machine))

    # -- main loop ------------------------------------------------------------------------
    def run(self) -> RunMetrics:
        tick = self.s.tick_s
        next_tick = 0.0
        heap = self.heap
        stop = self.end + 3 * 3600.0
        while True:
            if heap and heap[0][0] <= next_tick:
                t, _, kind, a, b = heapq.heappop(heap)
                if t > stop:
                    break
                self.now = t
                self.handle(kind, a, b)
            elif next_tick < self.end:
                self.now = next_tick
                self.tick()
                next_tick += tick
            elif heap:
                next_tick = heap[0][0]
            else:
                break
        self.book.close(self.now, self.metrics)
        return self.metrics

    def handle(self, kind: int, a: int, b: float) -> None:
        if kind == RESOLVE:
            self.resolve(a, int(b))
        elif kind == TALK_END:
            self.talk_end(a, int(b))
        elif kind == WRAP_END:
            self.wrap_end(a)
        elif kind == DEADLINE:
            self.deadline(a)
        elif kind == AMD_DONE:
            self.amd_done(a, b)
        else:
            self.staff(kind, a, b)

    # -- dialling -------------------------------------------------------------------------
    def snapshot(self) -> PacingSnapshot:
        book = self.book
        active = len(book.ready) + len(book.talking) + len(book.wrapping)
        return PacingSnapshot(  # positional: this runs every tick
            self.now,
            len(book.ready),
            book.paused,
            tuple(book.talking.values()),
            tuple(book.wrapping.values()),
            tuple(self.ringing.values()),
            tuple(self.waiting.values()),
            self.drops,
            self.live_answers,
            self.s.lines_per_agent * active,
            self._dial_limit,
            0.0,
            self.end,
            self.amd_fp_estimate * self.machine_verdicts,
        )

    def tick(self) -> None:
        snap = self.snapshot()
        n = self.policy.decide(snap)
        room = snap.line_limit - snap.lines_in_use
        for _ in range(max(0, min(n, room, snap.dial_limit))):
            if not self.dial():
                break

    def dial(self) -> bool:
        got = self.leads.next(self.now)
        if got is None:
            return False
        lead, attempt, zone = got
        call = self.next_call
        self.next_call += 1
        u_out, _, _, z_ans, z_talk, z_wrap = self.draws.get(lead, attempt)
        outcome, delay = self.ring_outcome(u_out, z_ans, zone)
        s = self.s
        human = outcome == HUMAN
        if human:
            talk = math.exp(self.talk_mu[int(self.now / 60.0)] + s.talk_sigma() * z_talk)
            wrap = math.exp(self.wrap_mu + s.wrap_sigma() * z_wrap)
        else:  # a machine reaching an agent: recognised and dispositioned quickly
            talk = s.machine_talk_s * math.exp(0.4 * z_talk)
            wrap = s.machine_wrap_s * math.exp(0.4 * z_wrap)
        self.calls[call] = (lead, attempt, human, talk, wrap)
        self.ringing[call] = self.now
        self.metrics.dials += 1
        self.emit(EventKind.DIAL_PLACED, call)
        self.push(self.now + delay, RESOLVE, call, outcome)
        return True

    def ring_outcome(self, u: float, z: float, zone: int) -> tuple[int, float]:
        s = self.s
        p_h = self.human_p[int(self.now / 60.0)]
        if s.answer_curve:
            p_h *= self.curve[int(self.leads.local_hour(zone, self.now) * 4.0)]
        if u < p_h:
            delay = s.human_answer_median * math.exp(s.human_answer_sigma * z)
            return (HUMAN, delay) if delay <= s.ring_timeout else (NO_ANSWER, s.ring_timeout)
        u -= p_h
        if u < s.machine:
            delay = s.machine_answer_median * math.exp(s.machine_answer_sigma * z)
            return (MACHINE, delay) if delay <= s.ring_timeout else (NO_ANSWER, s.ring_timeout)
        u -= s.machine
        if u < s.busy:
            return BUSY, s.busy_s
        if u - s.busy < s.invalid:
            return FAILED, s.invalid_s
        return NO_ANSWER, s.ring_timeout

    # -- call outcomes --------------------------------------------------------------------
    def resolve(self, call: int, outcome: int) -> None:
        if outcome in (HUMAN, MACHINE):
            if self.s.amd:
                lead, attempt, *_ = self.calls[call]
                u_lat = self.draws.get(lead, attempt)[1]
                lo, hi = self.s.amd_latency
                self.push(self.now + lo + (hi - lo) * u_lat, AMD_DONE, call, self.now)
            else:
                self.route_live(call, self.now)
            return
        del self.ringing[call]
        lead, attempt, *_ = self.calls.pop(call)
        self.emit(_OUTCOME_EVENT[outcome], call)
        self.leads.retry(lead, attempt, self.now)

    def amd_done(self, call: int, answered_at: float) -> None:
        lead, attempt, human, *_ = self.calls[call]
        u_err = self.draws.get(lead, attempt)[2]
        wrong = u_err < (self.s.amd_false_positive if human else self.s.amd_false_negative)
        if human != wrong:  # classified as a person
            self.route_live(call, answered_at)
            return
        del self.ringing[call]
        del self.calls[call]
        self.machine_verdicts += 1
        self.emit(EventKind.ANSWERED_MACHINE, call)
        if human:  # a person hung up on: an abandon where the rule counts AMD errors
            self.metrics.amd_false_positives += 1
            self.metrics.hour_fp[self._hour()] += 1
        self.leads.retry(lead, attempt, self.now)

    def route_live(self, call: int, answered_at: float) -> None:
        del self.ringing[call]
        self.live_answers += 1
        human = self.calls[call][2]
        if human:
            self.metrics.human_routed += 1
            self.metrics.hour_routed[self._hour()] += 1
        self.emit(EventKind.ANSWERED_LIVE, call)
        if self.book.ready:
            self.connect(call)
            return
        deadline = answered_at + self.s.grace_s
        if self.now < deadline:
            self.waiting[call] = answered_at
            self.push(deadline, DEADLINE, call)
        else:
            self.abandon(call)

    def deadline(self, call: int) -> None:
        if self.waiting.pop(call, None) is not None:
            self.abandon(call)

    def abandon(self, call: int) -> None:
        lead, attempt, human, *_ = self.calls.pop(call)
        self.drops += 1
        if human:
            self.metrics.human_abandons += 1
            self.metrics.hour_abandons[self._hour()] += 1
        else:
            self.metrics.machine_drops += 1
        self.emit(EventKind.ABANDONED, call)
        if not self.lockout:
            self.leads.retry(lead, attempt, self.now)

    def connect(self, call: int) -> None:
        agent, ready_since = self.book.ready.popitem(last=False)
        _, _, human, talk, _ = self.calls[call]
        m = self.metrics
        m.connects += 1
        m.idle_waits.append(self.now - ready_since)
        if human:
            m.human_connects += 1
        self.book.talking[agent] = self.now
        self.emit(EventKind.CONNECTED, call, agent)
        self.push(self.now + talk, TALK_END, agent, call)

    def talk_end(self, agent: int, call: int) -> None:
        _, _, human, talk, wrap = self.calls.pop(call)
        started = self.book.talking.pop(agent)
        m = self.metrics
        if human:
            m.talk_s += talk
            # Attribute talk to the hour the call started in (per-hour report).
            m.hour_talk_s[min(int(started / 3600.0), m.hours - 1)] += talk
        m.handle_s += talk + wrap
        self.book.wrapping[agent] = self.now
        self.emit(EventKind.CALL_ENDED, call, agent, machine=not human)
        self.push(self.now + wrap, WRAP_END, agent)

    def wrap_end(self, agent: int) -> None:
        del self.book.wrapping[agent]
        self.emit(EventKind.WRAP_ENDED, agent_id=agent)
        self.agent_free(agent)

    def agent_free(self, agent: int) -> None:
        """The agent is free: honour a pending logout or pause, else take a waiting call."""
        book = self.book
        pending = book.pending.pop(agent, None)
        if pending is not None and pending[0] == LOGOUT:
            book.logout(agent, self.now)
            self.emit(EventKind.AGENT_LOGGED_OUT, agent_id=agent)
        elif pending is not None:
            self.start_pause(agent, pending[1])
        else:
            book.ready[agent] = self.now
            if self.waiting:
                call, _ = self.waiting.popitem(last=False)
                self.connect(call)

    # -- staff ----------------------------------------------------------------------------
    def staff(self, kind: int, agent: int, arg: float) -> None:
        book = self.book
        if kind == LOGIN:
            book.login(agent, self.now)
            self.emit(EventKind.AGENT_LOGGED_IN, agent_id=agent)
            self.agent_free(agent)
        elif kind == PAUSE_END:
            book.resume(agent, self.now)
            self.emit(EventKind.AGENT_RESUMED, agent_id=agent)
            self.agent_free(agent)
        elif agent in book.ready:  # LOGOUT or PAUSE while free: at once
            del book.ready[agent]
            book.pending[agent] = (kind, arg)
            self.agent_free(agent)
        elif book.is_busy(agent):
            if kind == LOGOUT or agent not in book.pending:
                book.pending[agent] = (kind, arg)
        elif kind == LOGOUT and book.is_paused(agent):
            book.pending[agent] = (kind, arg)

    def start_pause(self, agent: int, duration: float) -> None:
        self.book.pause(agent, self.now)
        self.emit(EventKind.AGENT_PAUSED, agent_id=agent)
        self.push(self.now + duration, PAUSE_END, agent)

    def _hour(self) -> int:
        return min(int(self.now / 3600.0), self.metrics.hours - 1)
