"""``omnivox bench``: reproducible benchmarks. ``pacing`` runs the dialler simulator."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from omnivox.dialer.pacing.registry import DEFAULT_SPECS
from omnivox.dialer.simulation.report import build_report, format_tables
from omnivox.dialer.simulation.runner import Benchmark
from omnivox.dialer.simulation.scenarios import SCENARIOS

bench_app = typer.Typer(help="Reproducible benchmarks (pacing simulator).", no_args_is_help=True)


@bench_app.callback()
def _bench() -> None:
    """Reproducible benchmarks; each prints its figures and its baselines'."""


def _split(values: list[str] | None, default: list[str]) -> list[str]:
    if not values:
        return default
    return [v.strip() for item in values for v in item.split(",") if v.strip()]


@bench_app.command("pacing")
def pacing(
    scenario: Annotated[
        list[str] | None, typer.Option("--scenario", "-s", help="S1..S11; repeat or comma list.")
    ] = None,
    seeds: Annotated[int, typer.Option("--seeds", min=1, help="Simulated days per policy.")] = 20,
    policy: Annotated[
        list[str] | None,
        typer.Option(
            "--policy",
            "-p",
            help="progressive, ratio:R, power:R, hard_limit, tapered, average, erlang_b, "
            "omnivox, oracle (hindsight grid search). Default: all.",
        ),
    ] = None,
    json_path: Annotated[Path | None, typer.Option("--json", help="Write figures as JSON.")] = None,
    plot_path: Annotated[
        Path | None, typer.Option("--plot", help="Write a talk-vs-abandon plot (PNG).")
    ] = None,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Processes.")] = 2,
) -> None:
    """Simulate dialling days and compare pacing policies (figures per scenario and policy)."""
    specs = _split(policy, [*DEFAULT_SPECS, "oracle"])
    oracle = "oracle" in specs
    specs = [s for s in specs if s != "oracle"]
    scenarios = _split(scenario, list(SCENARIOS))
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        transient=True,
    ) as bar:
        task = bar.add_task("simulating", total=None)

        def on_progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        try:
            bench = Benchmark(scenarios, specs, seeds, oracle, workers, on_progress)
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from exc
        result = bench.run()
    report = build_report(result)
    typer.echo(format_tables(report))
    typer.echo(
        f"\n{result.seeds} seeds, wall time {result.wall_s:.1f} s, "
        f"CPU time {result.cpu_s:.1f} s ({result.cpu_s / 2:.1f} s on 2 dedicated cores)"
    )
    if json_path is not None:
        json_path.write_text(json.dumps(report, indent=2))
    if plot_path is not None:
        from omnivox.dialer.simulation.plot import plot_report

        plot_report(report, plot_path)


if __name__ == "__main__":
    bench_app()
