"""``docs/metrics.md``, generated from the catalogue:
``python -m omnivox.reporting.catalogue_doc > docs/metrics.md`` (a test fails when stale)."""

from __future__ import annotations

from omnivox.reporting.catalogue import METRICS
from omnivox.reporting.intervals import WAIT_BUCKETS
from omnivox.reporting.templates import COMPLIANCE, TEMPLATES

_HEAD = """# Metrics

Generated from `src/omnivox/reporting/catalogue.py` by
`python -m omnivox.reporting.catalogue_doc > docs/metrics.md`; a test fails when this page
and the catalogue disagree. Every figure is computed from stored records through the
rollups (`report_call_intervals`, `report_agent_state_intervals`), never entered by hand.

- A call counts in the 15-minute interval in which it ended (its conversation ended, or it
  reached a final state without one); its wrap-up counts with it.
- Agent state time is split across the intervals each state spans; only states that have
  ended count, and offline time is not kept.
- Waits are also counted in fixed buckets ({buckets} s), so a service-level target or the
  short-abandon threshold (`OMNIVOX_REPORT_SHORT_ABANDON_SECONDS`) at any bucket is a
  formula over stored counts.
- Percentages with nothing to divide by are empty (null), not zero.

| metric | label | unit | formula | reads | counts in |
| --- | --- | --- | --- | --- | --- |
"""


def render() -> str:
    lines = [_HEAD.format(buckets="/".join(map(str, WAIT_BUCKETS)))]
    for m in METRICS.values():
        lines.append(
            f"| `{m.name}` | {m.label} | {m.unit.value} | {m.formula} | {m.reads} "
            f"| {m.counts_in} |\n"
        )
    lines.append("\n## Templates\n\nSaved definitions on the same engine.\n\n")
    lines.append(
        "| template | title | metrics | by | granularity |\n| --- | --- | --- | --- | --- |\n"
    )
    for t in TEMPLATES.values():
        lines.append(
            f"| `{t.name}` | {t.title} | {', '.join(t.metrics)} | {', '.join(t.by) or '—'} "
            f"| {t.granularity or 'whole range'} |\n"
        )
    lines.append(
        f"| `{COMPLIANCE}` | Abandon-rate compliance per campaign per legal window | "
        "live_answers, outbound_abandoned, legal_abandon_rate, cap, status | campaign, day "
        "| each day's window of the campaign's `abandon_window_hours` |\n"
    )
    return "".join(lines)


if __name__ == "__main__":
    print(render(), end="")
