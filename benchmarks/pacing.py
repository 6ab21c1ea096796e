"""Reproducible pacing benchmark: every scenario (S1-S11), 20 seeds, every policy, the
hindsight oracles, in one run; prints the figures of Omnivox's pacer and of its baselines
(the VICIdial ports, fixed ratios, Erlang-B and the oracles) from that same run.

    python benchmarks/pacing.py [--seeds 20] [--json out.json] [--plot out.png]

Same code path as ``omnivox bench pacing`` (see docs/pacing.md).
"""

from __future__ import annotations

import sys

from omnivox.dialer.bench_cli import bench_app

if __name__ == "__main__":
    bench_app(args=["pacing", *sys.argv[1:]], prog_name="benchmarks/pacing.py")
