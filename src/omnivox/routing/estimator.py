"""Estimated wait for a position in a queue, learned from the queue's real waits.

Method: each answered call reports how long it really waited and the position it joined
at; ``wait / position`` is the seconds one place in the line took to clear for that call.
The estimator keeps an exponentially weighted mean of that per-place time (newer calls
count more: with ``alpha`` 0.2 the last ~10 calls carry ~90 % of the weight) and answers
``position x per-place time``.

Why this and not Erlang C or handle-time / agents: it needs no model of staffing, handle
times or blending (all of which the queue's real waits already include), it follows shift
changes within a few calls, and it is honest - until ``min_samples`` real waits have been
seen it says ``None`` and the announcement should leave the estimate out rather than invent
one. Its weakness is the opposite of its strength: a sudden staffing change shows up only
as the next calls are answered.
"""

from __future__ import annotations

__all__ = ["WaitEstimator"]


class WaitEstimator:
    def __init__(self, alpha: float = 0.2, min_samples: int = 3) -> None:
        if not 0.0 < alpha <= 1.0:
            raise ValueError("alpha must be in (0, 1]")
        if min_samples < 1:
            raise ValueError("min_samples must be at least 1")
        self.alpha = alpha
        self.min_samples = min_samples
        self._per_place: float | None = None
        self._samples = 0

    @property
    def samples(self) -> int:
        return self._samples

    @property
    def seconds_per_place(self) -> float | None:
        return self._per_place if self._samples >= self.min_samples else None

    def record(self, waited_seconds: float, position_at_entry: int) -> None:
        """Feed one completed wait (answered or offered-and-accepted call)."""
        if position_at_entry < 1:
            raise ValueError("position starts at 1")
        if waited_seconds < 0:
            waited_seconds = 0.0  # clocks of two nodes may disagree slightly
        per_place = waited_seconds / position_at_entry
        if self._per_place is None:
            self._per_place = per_place
        else:
            self._per_place += self.alpha * (per_place - self._per_place)
        self._samples += 1

    def estimate(self, position: int) -> float | None:
        """Seconds a caller at ``position`` (1 = next) can expect to wait, or ``None``."""
        if position < 1:
            raise ValueError("position starts at 1")
        rate = self.seconds_per_place
        return None if rate is None else position * rate
