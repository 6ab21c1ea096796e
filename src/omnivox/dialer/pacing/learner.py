"""What adaptive policies learn from the event stream: answer-time and outcome mix of dials,
talk and wrap-up durations, the share of connects that were machines, the live-answer rate.

All state comes from events (``PacingEvent``); nothing here sees the simulator's truth.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from omnivox.dialer.pacing.estimators import (
    DecayingHistogram,
    DecayingMean,
    DurationModel,
    FloatArray,
)
from omnivox.dialer.pacing.people import PersonEstimator
from omnivox.dialer.pacing.types import RESOLVING_KINDS, EventKind, PacingEvent


@dataclass(frozen=True, slots=True)
class LearnerPrior:
    """Starting beliefs, worth a few observations; overwritten by data within minutes."""

    live_rate: float = 0.3  # a high guess dials cautiously until real answers arrive
    answer_median_s: float = 9.0
    other_resolve_s: float = 20.0
    talk_mean_s: float = 150.0
    wrap_mean_s: float = 20.0
    prior_dials: float = 20.0


class RingModel:
    """Time from dial to resolution, split into live answers and everything else.

    From it: p (live-answer probability of a new dial), the CDF of a new dial's live-answer
    time, and for a dial still ringing after ``e`` seconds the probability it answers live
    within the next ``tau`` seconds (the hazard conditional on having survived ``e``).
    """

    def __init__(self, bins: int, half_life: float, prior: LearnerPrior) -> None:
        self.bins = bins
        self.live = DecayingHistogram(bins, 1.0, half_life)
        self.other = DecayingHistogram(bins, 1.0, half_life)
        w = prior.prior_dials
        self.live.counts[min(int(prior.answer_median_s), bins - 1)] += w * prior.live_rate
        self.other.counts[min(int(prior.other_resolve_s), bins - 1)] += w * (1 - prior.live_rate)
        self._dirty = False
        self._cache: tuple[FloatArray, FloatArray] | None = None

    def add(self, ring_time: float, live: bool) -> None:
        (self.live if live else self.other).add(ring_time)
        # Keep both histograms on the same weight scale.
        twin = self.other if live else self.live
        twin.add(0.0, weight=0.0)
        self._dirty = True

    def refresh(self) -> None:
        """Take the new observations into account (callers rate-limit this)."""
        if self._dirty:
            self._cache = None
            self._dirty = False

    def cumulative(self) -> tuple[FloatArray, FloatArray]:
        """(CL, CA): cumulative live and all-outcome counts, CL[b] = counts in bins < b."""
        if self._cache is None:
            live = self.live.normalised()
            both = live + self.other.normalised()
            zero = np.zeros(1)
            self._cache = (
                np.concatenate((zero, np.cumsum(live))),
                np.concatenate((zero, np.cumsum(both))),
            )
        return self._cache

    @property
    def live_rate(self) -> float:
        cl, ca = self.cumulative()
        return float(cl[-1] / ca[-1])

    def live_pmf(self) -> FloatArray:
        """Live answers of a new dial by ring-time bin (sums to p)."""
        cl, ca = self.cumulative()
        return np.asarray(np.diff(cl) / ca[-1], dtype=np.float64)

    def new_dial_live_cdf(self, taus: FloatArray) -> FloatArray:
        """P(a new dial is answered live by tau) for each tau."""
        cl, ca = self.cumulative()
        idx = np.minimum(taus.astype(np.int64), self.bins)
        return np.asarray(cl[idx] / ca[-1], dtype=np.float64)

    def ringing_live_cdf(self, elapsed: FloatArray, taus: FloatArray) -> FloatArray:
        """Matrix P(answered live within tau | still ringing after elapsed)."""
        cl, ca = self.cumulative()
        eb = np.minimum(elapsed.astype(np.int64), self.bins)
        later = np.minimum(eb[:, None] + taus.astype(np.int64)[None, :], self.bins)
        denom = np.maximum(ca[-1] - ca[eb], 1e-9)
        return np.asarray((cl[later] - cl[eb][:, None]) / denom[:, None], dtype=np.float64)


class OutcomeLearner:
    """Feeds a RingModel and the duration models from events."""

    def __init__(
        self,
        prior: LearnerPrior | None = None,
        ring_bins: int = 40,
        dial_half_life: float = 300.0,
        call_half_life: float = 150.0,
    ) -> None:
        prior = prior or LearnerPrior()
        self.ring = RingModel(ring_bins, dial_half_life, prior)
        self.talk = DurationModel(prior.talk_mean_s, 7200.0, call_half_life)
        self.wrap = DurationModel(prior.wrap_mean_s, 900.0, call_half_life)
        self.machine_share = DecayingMean(0.0, call_half_life, prior_weight=2.0)
        self.people = PersonEstimator(ring_bins, call_half_life)
        self.handle = DecayingMean(prior.talk_mean_s + prior.wrap_mean_s, call_half_life)
        self._dialed: dict[int, float] = {}
        self._connected: dict[int, float] = {}
        self._ended: dict[int, float] = {}  # agent_id -> when their last call ended
        self._talk_of: dict[int, float] = {}
        self._next_refresh = 0.0

    def refresh(self, now: float, every_s: float = 10.0) -> None:
        """Rebuild the duration tables at most every ``every_s`` seconds."""
        if now >= self._next_refresh:
            self.talk.refresh()
            self.wrap.refresh()
            self.ring.refresh()
            self.people.refresh()
            self._next_refresh = now + every_s

    @property
    def human_share(self) -> float:
        return max(0.05, 1.0 - self.machine_share.value)

    def observe(self, ev: PacingEvent) -> None:
        kind = ev.kind
        if kind is EventKind.DIAL_PLACED:
            self._dialed[ev.call_id] = ev.time
        elif kind is EventKind.CONNECTED:
            self._connected[ev.call_id] = ev.time
        elif kind is EventKind.CALL_ENDED:
            self._on_call_ended(ev)
        elif kind is EventKind.WRAP_ENDED:
            start = self._ended.pop(ev.agent_id, None)
            if start is not None:
                wrap = ev.time - start
                self.wrap.add(wrap)
                self.handle.add(self._talk_of.pop(ev.agent_id, 0.0) + wrap)
        elif kind in RESOLVING_KINDS:
            placed = self._dialed.pop(ev.call_id, None)
            if placed is not None:
                self.ring.add(ev.time - placed, kind is EventKind.ANSWERED_LIVE)
                if kind is EventKind.ANSWERED_LIVE:
                    self.people.answered(ev.call_id, ev.time - placed)
        elif kind is EventKind.ABANDONED:
            self.people.dropped(ev.call_id)

    def _on_call_ended(self, ev: PacingEvent) -> None:
        start = self._connected.pop(ev.call_id, None)
        if start is None:
            return
        talk = ev.time - start
        self.talk.add(talk)
        self.machine_share.add(1.0 if ev.machine else 0.0)
        self.people.connected_call_ended(ev.call_id, ev.machine)
        self._ended[ev.agent_id] = ev.time
        self._talk_of[ev.agent_id] = talk
