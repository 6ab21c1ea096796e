"""The pacing benchmark: every policy on every scenario and seed, plus the hindsight oracle
search, in a process pool. Every (scenario, policy, seed) is one independent simulated day."""

from __future__ import annotations

import multiprocessing
import resource
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from omnivox.dialer.pacing.registry import (
    ADAPTIVE_SPECS,
    DEFAULT_SPECS,
    PolicyContext,
    build_policy,
    canonical_spec,
)
from omnivox.dialer.simulation.engine import Simulator
from omnivox.dialer.simulation.metrics import RunMetrics
from omnivox.dialer.simulation.oracle import FamilySearch, initial_searches, spec_for
from omnivox.dialer.simulation.scenarios import SCENARIOS, Rule, Scenario

Progress = Callable[[int, int], None]
# Relative cost of a run, to start the slow ones first and keep both workers busy.
_COST = {"omnivox": 12.0, "erlang_b": 2.0}


@dataclass(frozen=True, slots=True)
class Task:
    scenario: str
    spec: str
    rule: int  # index into the scenario's rules (only matters for adaptive policies)
    seed: int


def rule_dependent(spec: str) -> bool:
    return spec in ADAPTIVE_SPECS


def result_key(spec: str, rule: Rule, scenario: Scenario) -> str:
    """Static policies are the same run under every rule; adaptive ones are tuned per rule."""
    if rule_dependent(spec) and len(scenario.rules) > 1:
        return f"{spec}@{rule.name}"
    return spec


def run_task(task: Task) -> tuple[Task, RunMetrics]:
    sc = SCENARIOS[task.scenario]
    rule = sc.rules[task.rule]
    ctx = PolicyContext(
        abandon_target=rule.cap,
        daily_window=rule.daily_window,
        amd=sc.amd,
        ring_timeout_s=sc.ring_timeout,
    )
    # The campaign's AMD false-positive estimate, where the rule counts false positives.
    fp = sc.amd_false_positive_share() if rule.count_amd_false_positives else 0.0
    return task, Simulator(sc, build_policy(task.spec, ctx), task.seed, fp).run()


def _cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


def _cost(task: Task) -> float:
    sc = SCENARIOS[task.scenario]
    return float(_COST.get(task.spec, 1.0) * sc.agents**0.5 * sc.hours)


@dataclass(slots=True)
class BenchmarkRun:
    """Everything measured: runs by scenario and result key (seed order), oracle searches."""

    scenarios: list[str]
    specs: list[str]
    seeds: int
    oracle: bool
    runs: dict[str, dict[str, list[RunMetrics]]] = field(default_factory=dict)
    searches: dict[str, dict[str, list[FamilySearch]]] = field(default_factory=dict)
    wall_s: float = 0.0
    cpu_s: float = 0.0  # this process and its workers: what 2 dedicated cores would need x 2


class Benchmark:
    def __init__(
        self,
        scenarios: Iterable[str],
        specs: Iterable[str] = DEFAULT_SPECS,
        seeds: int = 20,
        oracle: bool = True,
        workers: int = 2,
        progress: Progress | None = None,
    ) -> None:
        self.result = BenchmarkRun(
            [s.upper() for s in scenarios], [canonical_spec(p) for p in specs], seeds, oracle
        )
        for sid in self.result.scenarios:
            if sid not in SCENARIOS:
                raise ValueError(f"unknown scenario {sid!r}; known: {', '.join(SCENARIOS)}")
            self.result.runs[sid] = {}
        self.workers = workers
        self.progress = progress or (lambda done, total: None)
        self._done = 0
        self._total = 0

    def run(self) -> BenchmarkRun:
        start, cpu_start = time.perf_counter(), _cpu_seconds()
        res = self.result
        tasks = [t for sid in res.scenarios for t in self._policy_tasks(sid, res.specs)]
        if res.oracle:
            for sid in res.scenarios:
                sc = SCENARIOS[sid]
                res.searches[sid] = {r.name: initial_searches(sc, r) for r in sc.rules}
                points = [(s.family, v) for s in self._all(sid) for v in s.values]
                tasks += self._search_tasks(sid, points)
        # Base runs, then bisection rounds until every search has finished.
        pending = [s.rounds_left for sid in res.searches for s in self._all(sid)]
        rounds = 1 + max(pending, default=0)
        self._total = len(tasks) + (rounds - 1) * self._estimate_round()
        self._execute(tasks)
        for _ in range(rounds - 1):
            tasks = []
            for sid in res.searches:
                for search in self._all(sid):
                    search.update(res.runs[sid])
                    value = search.next_value()
                    if value is not None:
                        tasks += self._search_tasks(sid, [(search.family, value)])
            if not tasks:
                break
            self._execute(tasks)
        for sid in res.searches:
            for search in self._all(sid):
                search.update(res.runs[sid])
        res.wall_s = time.perf_counter() - start
        res.cpu_s = _cpu_seconds() - cpu_start
        self.progress(self._total, self._total)
        return res

    def _all(self, sid: str) -> list[FamilySearch]:
        return [s for group in self.result.searches.get(sid, {}).values() for s in group]

    def _estimate_round(self) -> int:
        return sum(len(self._all(sid)) for sid in self.result.searches) * self.result.seeds

    def _policy_tasks(self, sid: str, specs: list[str]) -> list[Task]:
        sc = SCENARIOS[sid]
        out: list[Task] = []
        for spec in specs:
            rules = range(len(sc.rules)) if rule_dependent(spec) else range(1)
            for ri in rules:
                key = result_key(spec, sc.rules[ri], sc)
                if key in self.result.runs[sid]:
                    continue
                self.result.runs[sid][key] = []
                out += [Task(sid, spec, ri, seed) for seed in range(self.result.seeds)]
        return out

    def _search_tasks(self, sid: str, points: Iterable[tuple[str, float]]) -> list[Task]:
        return self._policy_tasks(sid, [spec_for(family, value) for family, value in points])

    def _execute(self, tasks: list[Task]) -> None:
        tasks.sort(key=_cost, reverse=True)
        collected: dict[tuple[str, str], dict[int, RunMetrics]] = {}
        for task, metrics in self._map(tasks):
            sc = SCENARIOS[task.scenario]
            key = result_key(task.spec, sc.rules[task.rule], sc)
            collected.setdefault((task.scenario, key), {})[task.seed] = metrics
            self._done += 1
            self._total = max(self._total, self._done)
            self.progress(self._done, self._total)
        for (sid, key), by_seed in collected.items():
            self.result.runs[sid][key] = [by_seed[s] for s in sorted(by_seed)]

    def _map(self, tasks: list[Task]) -> Iterable[tuple[Task, RunMetrics]]:
        if self.workers <= 1 or len(tasks) <= 1:
            yield from map(run_task, tasks)
            return
        ctx = multiprocessing.get_context("fork")
        with ctx.Pool(self.workers) as pool:
            yield from pool.imap_unordered(run_task, tasks, chunksize=1)
