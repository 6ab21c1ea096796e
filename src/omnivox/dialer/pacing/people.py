"""Which live answers were people? Without AMD (and through AMD's misses) machines reach
the agents, and a dropped call's party is never known. The law counts only people, so the
pacer estimates the share of people among its answers and drops from the one thing it knows
about every answer: how long the dial rang. Agents' dispositions of bridged calls (the
``machine`` flag of CALL_ENDED) give P(person | ring time), bin by bin; machines typically
answer later than people, so drops (which cluster at some ring times) are weighted right.
"""

from __future__ import annotations

import numpy as np

from omnivox.dialer.pacing.estimators import DecayingHistogram, FloatArray


class PersonEstimator:
    def __init__(self, bins: int, half_life: float, smoothing: float = 2.0) -> None:
        self.bins = bins
        self.people = DecayingHistogram(bins, 1.0, half_life)
        self.machines = DecayingHistogram(bins, 1.0, half_life)
        self.smoothing = smoothing
        self.answers = np.zeros(bins)  # live answers in this policy's lifetime, by ring time
        self.drops = np.zeros(bins)
        self._bin_of: dict[int, int] = {}
        self._share: FloatArray | None = None
        self._dirty = False

    def _bin(self, ring_time: float) -> int:
        return min(max(int(ring_time), 0), self.bins - 1)

    def answered(self, call_id: int, ring_time: float) -> None:
        b = self._bin(ring_time)
        self._bin_of[call_id] = b
        self.answers[b] += 1

    def dropped(self, call_id: int) -> None:
        b = self._bin_of.pop(call_id, None)
        if b is not None:
            self.drops[b] += 1

    def connected_call_ended(self, call_id: int, machine: bool) -> None:
        b = self._bin_of.pop(call_id, None)
        if b is None:
            return
        (self.machines if machine else self.people).add(float(b))
        twin = self.people if machine else self.machines
        twin.add(0.0, weight=0.0)  # keep both on one weight scale
        self._dirty = True

    def refresh(self) -> None:
        """Take the new dispositions into account (callers rate-limit this)."""
        if self._dirty:
            self._share = None
            self._dirty = False

    def share_by_ring_time(self) -> FloatArray:
        """P(person | answered live after b seconds of ringing), smoothed to the overall
        share where a bin has few observations."""
        if self._share is None:
            people, machines = self.people.normalised(), self.machines.normalised()
            total = people.sum() + machines.sum()
            overall = (people.sum() + 1.0) / (total + 1.0)
            s = self.smoothing
            self._share = (people + s * overall) / (people + machines + s)
        return self._share

    def drop_share(self) -> float:
        """Estimated share of people among this window's drops (overall share if none)."""
        return self._weighted(self.drops)

    def answer_share(self) -> float:
        return self._weighted(self.answers)

    def _weighted(self, counts: FloatArray) -> float:
        share = self.share_by_ring_time()
        n = float(counts.sum())
        if n <= 0:
            return float((share * self.answers).sum() / max(self.answers.sum(), 1.0)) or 1.0
        return float((share * counts).sum() / n)
