"""Talk minutes per agent-hour versus abandon rate, one panel per scenario and target.

matplotlib is imported here only, lazily, with the Agg backend (no display needed)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any


def plot_report(report: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = [
        (sid, rname, target)
        for sid, entry in report["scenarios"].items()
        for rname, target in entry["targets"].items()
    ]
    cols = min(3, len(panels))
    rows = math.ceil(len(panels) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5 * cols, 4 * rows), squeeze=False)
    for ax, (sid, rname, target) in zip(axes.flat, panels, strict=False):
        for name, s in target["policies"].items():
            marker = "*" if name == "omnivox" else ("s" if name.startswith("oracle") else "o")
            size = 160 if name == "omnivox" else 40
            ax.scatter(
                100 * s["abandon_mean"],
                s["talk_min_per_agent_hour"],
                s=size,
                marker=marker,
                label=name,
            )
        ax.axvline(100 * target["cap"], color="red", linestyle="--", linewidth=1)
        ax.set_title(f"{sid} - {rname}")
        ax.set_xlabel("abandon rate (%)")
        ax.set_ylabel("talk min / agent-hour")
        ax.set_xscale("symlog", linthresh=1.0)
    for ax in list(axes.flat)[len(panels) :]:
        ax.axis("off")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=6, fontsize="small")
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    fig.savefig(path, dpi=110)
    plt.close(fig)
