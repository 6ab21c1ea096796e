"""Turn a BenchmarkRun into the figures of the issue: a dict (for --json) and text tables."""

from __future__ import annotations

from typing import Any

from omnivox.dialer.simulation.metrics import summarise
from omnivox.dialer.simulation.oracle import best_power_per_hour, spec_for
from omnivox.dialer.simulation.runner import BenchmarkRun, result_key
from omnivox.dialer.simulation.sanity import eligible, progressive_occupancy
from omnivox.dialer.simulation.scenarios import SCENARIOS, Rule, Scenario

_NAMES = {
    "hard_limit": "vicidial-hard-limit",
    "tapered": "vicidial-tapered",
    "average": "vicidial-average",
    "erlang_b": "erlang-b",
}
# Scenarios where the pacer must match or beat the oracle (S10, S11: issue 14's AMD targets).
ADAPTIVE_PLUS = ("S5", "S6", "S8", "S10", "S11")
COLUMNS = (
    ("abandon_mean", "aband%", 100.0, "{:6.2f}"),
    ("abandon_ub95", "UB95%", 100.0, "{:6.2f}"),
    ("talk_min_per_agent_hour", "talk/ah", 1.0, "{:7.2f}"),
    ("occupancy", "occ%", 100.0, "{:5.1f}"),
    ("idle_wait_mean_s", "wait", 1.0, "{:5.1f}"),
    ("idle_wait_p90_s", "p90", 1.0, "{:5.1f}"),
    ("dials_per_connect", "d/c", 1.0, "{:5.2f}"),
    ("violations", "viol", 1.0, "{:4.0f}"),
)


def display_name(spec: str) -> str:
    kind, _, arg = spec.partition(":")
    if arg:
        return f"{kind}-{arg}"
    return _NAMES.get(kind, kind)


def build_report(run: BenchmarkRun) -> dict[str, Any]:
    out: dict[str, Any] = {
        "seeds": run.seeds,
        "wall_s": round(run.wall_s, 1),
        "cpu_s": round(run.cpu_s, 1),
        "scenarios": {},
    }
    for sid in run.scenarios:
        sc = SCENARIOS[sid]
        entry: dict[str, Any] = {"title": sc.title, "agents": sc.agents, "targets": {}}
        for rule in sc.rules:
            entry["targets"][rule.name] = _target_report(run, sc, rule)
        if "progressive" in run.runs[sid] and eligible(sc):
            measured = summarise(run.runs[sid]["progressive"], sc.rules[0]).occupancy
            expected = progressive_occupancy(sc)
            entry["sanity"] = {
                "progressive_occupancy": measured,
                "formula": expected,
                "relative_error": measured / expected - 1.0,
                "within_2pct": abs(measured / expected - 1.0) <= 0.02,
            }
        out["scenarios"][sid] = entry
    out["targets_met"] = targets_met(out)
    return out


def _target_report(run: BenchmarkRun, sc: Scenario, rule: Rule) -> dict[str, Any]:
    runs = run.runs[sc.id]
    policies: dict[str, dict[str, Any]] = {}
    for spec in run.specs:
        key = result_key(spec, rule, sc)
        if runs.get(key):
            policies[display_name(spec)] = summarise(runs[key], rule).as_dict()
    rep: dict[str, Any] = {"cap": rule.cap, "policies": policies}
    searches = run.searches.get(sc.id, {}).get(rule.name, [])
    best: tuple[float, str] | None = None
    for search in searches:
        found = search.best()
        if found is None:
            continue
        value, talk = found
        name = f"oracle-{search.family}"
        policies[name] = summarise(runs[spec_for(search.family, value)], rule).as_dict()
        policies[name]["ratio"] = value
        policies[name]["evaluated"] = sorted(search.values)
        if best is None or talk > best[0]:
            best = (talk, name)
        if search.family == "power":
            rep["best_power_ratio_per_hour"] = best_power_per_hour(runs, search)
    if best is not None:
        policies["oracle"] = dict(policies[best[1]], family=best[1].removeprefix("oracle-"))
    rep["comparison"] = _comparison(policies)
    return rep


def _comparison(policies: dict[str, dict[str, Any]]) -> dict[str, float]:
    omni = policies.get("omnivox")
    if omni is None:
        return {}
    talk = float(omni["talk_min_per_agent_hour"])
    out: dict[str, float] = {}
    for name, label in (
        ("oracle", "vs_oracle"),
        ("vicidial-hard-limit", "vs_hard_limit"),
        ("vicidial-average", "vs_average"),
    ):
        other = policies.get(name)
        if other and other["talk_min_per_agent_hour"] > 0:
            out[label] = talk / float(other["talk_min_per_agent_hour"])
    return out


def targets_met(report: dict[str, Any]) -> dict[str, Any]:
    """The issue's targets, checked one by one (None where not measured in this run)."""
    res: dict[str, Any] = {}
    for sid, entry in report["scenarios"].items():
        for rname, target in entry["targets"].items():
            omni = target["policies"].get("omnivox")
            comp = target["comparison"]
            need = 1.0 if sid in ADAPTIVE_PLUS else 0.97
            res[f"{sid} {rname}"] = {
                "omnivox_compliant": None if omni is None else bool(omni["compliant"]),
                "oracle_share_ok": None if "vs_oracle" not in comp else comp["vs_oracle"] >= need,
                "beats_hard_limit": None
                if "vs_hard_limit" not in comp
                else comp["vs_hard_limit"] >= 1.0,
                "beats_average": None if "vs_average" not in comp else comp["vs_average"] >= 1.0,
            }
        if "sanity" in entry:
            res[f"{sid} sanity"] = {"progressive_within_2pct": entry["sanity"]["within_2pct"]}
    return res


def format_tables(report: dict[str, Any]) -> str:
    lines: list[str] = []
    for sid, entry in report["scenarios"].items():
        for rname, target in entry["targets"].items():
            lines.append(f"\n{sid} {entry['title']} ({entry['agents']} agents) - {rname}")
            head = f"  {'policy':22s}" + "".join(f" {h:>7s}" for _, h, _, _ in COLUMNS) + "  ok"
            lines.append(head)
            for name, s in target["policies"].items():
                cells = "".join(
                    f" {fmt.format(s[key] * scale):>7s}" for key, _, scale, fmt in COLUMNS
                )
                label = name + (f" r={s['ratio']:g}" if "ratio" in s else "")
                lines.append(f"  {label:22s}{cells}  {'yes' if s['compliant'] else 'NO'}")
            lines.extend(_comparison_lines(target))
        if "sanity" in entry:
            s = entry["sanity"]
            lines.append(
                f"  sanity: progressive occupancy {s['progressive_occupancy']:.4f} vs formula "
                f"{s['formula']:.4f} ({100 * s['relative_error']:+.2f}%)"
            )
    return "\n".join(lines)


def _comparison_lines(target: dict[str, Any]) -> list[str]:
    out = []
    comp = target["comparison"]
    if comp:
        parts = [f"{k.replace('_', ' ')} {100 * v:.1f}%" for k, v in comp.items()]
        out.append("  omnivox talk " + ", ".join(parts))
    hourly = target.get("best_power_ratio_per_hour")
    if hourly:
        cells = " ".join("-" if r is None else f"{r:g}" for r in hourly)
        out.append(f"  best static power ratio per hour: {cells}")
    return out
