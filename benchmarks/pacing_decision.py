"""Time of one pacing decision for a 100-agent campaign, Omnivox's pacer against a trivial
baseline (progressive) in the same process, on the same snapshots.

    python benchmarks/pacing_decision.py

The snapshots and the pacer's learned state come from a simulated S2 day (100 agents), so
the decision works on realistic queues: ~90 agents talking or wrapping, ~100+ dials ringing.
Target: under 1 ms per decision.
"""

from __future__ import annotations

import copy
import statistics
import time

from omnivox.dialer.pacing import OmnivoxPacer, PacingSnapshot, ProgressivePolicy
from omnivox.dialer.simulation import SCENARIOS, Simulator


def collect(samples: int = 2000) -> tuple[OmnivoxPacer, list[PacingSnapshot]]:
    """Run S2 for two hours with the pacer, keeping snapshots from the second hour."""
    pacer = OmnivoxPacer()
    snaps: list[PacingSnapshot] = []
    sim = Simulator(SCENARIOS["S2"], pacer, seed=0)
    original = sim.snapshot

    def capture() -> PacingSnapshot:
        s = original()
        if s.now >= 3600.0 and len(snaps) < samples:
            snaps.append(s)
        return s

    sim.snapshot = capture  # type: ignore[method-assign]
    sim.end = 3600.0 + samples  # stop dialling after the sampled window
    sim.run()
    return pacer, snaps


def time_decisions(policy: object, snaps: list[PacingSnapshot]) -> list[float]:
    decide = policy.decide  # type: ignore[attr-defined]
    out = []
    for s in snaps:
        t0 = time.perf_counter()
        decide(s)
        out.append(time.perf_counter() - t0)
    return out


def report(name: str, times: list[float]) -> None:
    us = sorted(t * 1e6 for t in times)
    p99 = us[int(0.99 * (len(us) - 1))]
    print(
        f"{name:12s} mean {statistics.fmean(us):8.1f} us   median {statistics.median(us):8.1f} us"
        f"   p99 {p99:8.1f} us   max {us[-1]:8.1f} us"
    )


def main() -> None:
    pacer, snaps = collect()
    talking = statistics.fmean(len(s.talking_since) + len(s.wrapping_since) for s in snaps)
    ringing = statistics.fmean(len(s.ringing_since) for s in snaps)
    print(
        f"{len(snaps)} snapshots of a 100-agent campaign: {talking:.0f} agents busy, "
        f"{ringing:.0f} dials ringing on average"
    )
    baseline = time_decisions(ProgressivePolicy(), snaps)
    omnivox = time_decisions(copy.deepcopy(pacer), snaps)
    report("progressive", baseline)
    report("omnivox", omnivox)
    mean = statistics.fmean(omnivox)
    print(
        f"omnivox decision: {mean * 1e3:.3f} ms mean (target < 1 ms): "
        f"{'met' if mean < 1e-3 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
