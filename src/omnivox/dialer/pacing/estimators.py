"""Online estimators the adaptive policies learn with: forgetting histograms and the normal CDF.

Everything is vectorised with numpy so one pacing decision stays well under a millisecond.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

_SQRT1_2 = 1.0 / math.sqrt(2.0)


def normal_cdf(x: FloatArray) -> FloatArray:
    """Standard normal CDF, vectorised (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7)."""
    z = np.abs(x) * _SQRT1_2
    t = 1.0 / (1.0 + 0.3275911 * z)
    inner = 1.421413741 + t * (-1.453152027 + t * 1.061405429)
    poly = t * (0.254829592 + t * (-0.284496736 + t * inner))
    erf = 1.0 - poly * np.exp(-z * z)
    return np.asarray(0.5 * (1.0 + np.sign(x) * erf), dtype=np.float64)


class DecayingHistogram:
    """Counts per fixed-width bin where each observation's weight halves every ``half_life``
    later observations. Weights grow instead of decaying so an update is O(1)."""

    def __init__(self, bins: int, width: float, half_life: float) -> None:
        self.bins = bins
        self.width = width
        self.counts = np.zeros(bins, dtype=np.float64)
        self._growth = 2.0 ** (1.0 / half_life)
        self._weight = 1.0

    def add(self, value: float, weight: float = 1.0) -> None:
        b = min(int(value / self.width), self.bins - 1)
        self.counts[max(b, 0)] += self._weight * weight
        self._weight *= self._growth
        if self._weight > 1e12:
            self.counts /= self._weight
            self._weight = 1.0

    def normalised(self) -> FloatArray:
        """Counts in units of the newest observation's weight (an effective sample)."""
        return self.counts / self._weight


class DecayingMean:
    """Exponentially weighted mean with a prior worth ``prior_weight`` observations."""

    def __init__(self, prior: float, half_life: float, prior_weight: float = 1.0) -> None:
        self._decay = 0.5 ** (1.0 / half_life)
        self._sum = prior * prior_weight
        self._weight = prior_weight

    def add(self, value: float) -> None:
        self._sum = self._sum * self._decay + value
        self._weight = self._weight * self._decay + 1.0

    @property
    def value(self) -> float:
        return self._sum / self._weight


class DurationModel:
    """Distribution of a duration (talk, wrap-up) from a forgetting histogram on a one-second
    grid, with an exponential tail worth ``tail_weight`` observations so that long-running
    calls still end eventually. ``refresh()`` rebuilds the survival table; callers rate-limit
    it (the distribution drifts over minutes, not seconds)."""

    def __init__(self, prior_mean: float, max_value: float, half_life: float) -> None:
        self.bins = math.ceil(max_value) + 1
        self.hist = DecayingHistogram(self.bins, 1.0, half_life)
        self.mean = DecayingMean(prior_mean, half_life, prior_weight=3.0)
        self.tail_weight = 1.0
        self._grid = np.arange(self.bins + 1, dtype=np.float64)
        self.hist.add(prior_mean)  # a one-observation prior so the model is defined at once
        self._dirty = True
        self._table = np.ones(self.bins + 1)
        self.refresh()

    def add(self, duration: float) -> None:
        self.hist.add(duration)
        self.mean.add(duration)
        self._dirty = True

    def refresh(self) -> None:
        if not self._dirty:
            return
        counts = self.hist.normalised()
        # right[b]: weight of observations >= b seconds (bin b holds [b, b+1)).
        right = np.concatenate((np.cumsum(counts[::-1])[::-1], [0.0]))
        tail = self.tail_weight * np.exp(-self._grid / max(self.mean.value, 1.0))
        self._table = (right + tail) / (right[0] + self.tail_weight)
        self._dirty = False

    @property
    def table(self) -> FloatArray:
        """The current survival table (a new object after each rebuild)."""
        return self._table

    def survival(self, t: FloatArray) -> FloatArray:
        """P(duration > t) read from the table (t clipped to the table's range)."""
        idx = np.minimum(t, self.bins).astype(np.int64)
        return np.asarray(self._table[idx], dtype=np.float64)

    def end_within(self, elapsed: FloatArray, taus: FloatArray) -> FloatArray:
        """Matrix P(ends by elapsed + tau | still running at elapsed), one row per elapsed."""
        s_now = self.survival(elapsed)
        s_later = self.survival(elapsed[:, None] + taus[None, :])
        return np.asarray(1.0 - s_later / np.maximum(s_now, 1e-12)[:, None], dtype=np.float64)
