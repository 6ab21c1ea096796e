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
    names = sorted({n for _, _, t in panels for n in t["policies"] if n != "oracle-power"})
    palette = matplotlib.colormaps["tab20"]
    colour: dict[str, Any] = {n: palette(i % 20) for i, n in enumerate(names)}
    colour.update(omnivox="black", oracle="tab:red")
    cols = min(3, len(panels))
    rows = math.ceil(len(panels) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5 * cols, 4 * rows), squeeze=False)
    for ax, (sid, rname, target) in zip(axes.flat, panels, strict=False):
        for name, s in target["policies"].items():
            if name == "oracle-power":  # the oracle is drawn once, under its own name
                continue
            marker = "*" if name == "omnivox" else ("s" if name.startswith("oracle") else "o")
            size = 220 if name == "omnivox" else 40
            ax.scatter(
                100 * s["abandon_mean"],
                s["talk_min_per_agent_hour"],
                s=size,
                marker=marker,
                color=colour[name],
                label=name,
                zorder=3 if name == "omnivox" else 2,
            )
        ax.axvline(100 * target["cap"], color="red", linestyle="--", linewidth=1)
        ax.set_title(f"{sid} - {rname}")
        ax.set_xlabel("abandon rate (%)")
        ax.set_ylabel("talk min / agent-hour")
        ax.set_xscale("symlog", linthresh=1.0)
        ax.set_xlim(left=0.0)
    for ax in list(axes.flat)[len(panels) :]:
        ax.axis("off")
    seen: dict[str, Any] = {}
    for ax in axes.flat:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            seen.setdefault(label, handle)
    handles, labels = list(seen.values()), list(seen)
    fig.legend(handles, labels, loc="lower center", ncol=6, fontsize="small")
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    fig.savefig(path, dpi=110)
    plt.close(fig)
