"""The call state machine's transition table as the Markdown in ``docs/telephony.md``.

``python -m omnivox.telephony.fsm_doc --write`` rewrites the table in place; a test fails
when the document and :data:`omnivox.telephony.fsm_table.TABLE` disagree.
"""

from __future__ import annotations

import sys
from pathlib import Path

from omnivox.telephony.fsm_table import TABLE, Rule
from omnivox.telephony.fsm_types import CallState

DOC = Path(__file__).resolve().parents[3] / "docs" / "telephony.md"
HEADER = "| from | trigger | to | records |\n| --- | --- | --- | --- |\n"


def render_table() -> str:
    order = {state: i for i, state in enumerate(CallState)}
    rows = sorted(TABLE.items(), key=lambda kv: (order[kv[0][0]], kv[0][1].value))
    return HEADER + "".join(
        f"| {state.value} | {trigger.value} | {_target(rule)} | {_records(rule)} |\n"
        for (state, trigger), rule in rows
    )


def _target(rule: Rule) -> str:
    if rule.resume:
        return "(previous state)"
    return "= (no change)" if rule.target is None else rule.target.value


def _records(rule: Rule) -> str:
    parts = []
    if rule.end_reason is not None:
        parts.append(f"end: `{rule.end_reason.value}`")
    if rule.system_disposition is not None:
        flagged = " **flagged**" if rule.flag_for_supervisor else ""
        parts.append(f"system disposition `{rule.system_disposition}`{flagged}")
    return "; ".join(parts)


def documented_table(text: str) -> str:
    start = text.index(HEADER)
    end = start + len(HEADER)
    lines = text[end:].splitlines(keepends=True)
    body = []
    for line in lines:
        if not line.startswith("|"):
            break
        body.append(line)
    return HEADER + "".join(body)


def main(argv: list[str]) -> int:
    text = DOC.read_text()
    current = documented_table(text)
    if "--write" in argv:
        DOC.write_text(text.replace(current, render_table()))
        return 0
    if current != render_table():
        print("docs/telephony.md's transition table is stale: run with --write", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
