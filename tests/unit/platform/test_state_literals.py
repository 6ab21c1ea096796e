"""Call and agent states are enums owned by their state machines: code elsewhere compares
with ``CallState.X`` / ``AgentState.X``, never with a re-typed string such as ``"wrap_up"``
(a typo there is a silent bug, and a renamed state would leave it behind)."""

from __future__ import annotations

import ast
from pathlib import Path

from omnivox.agents.fsm import AgentState
from omnivox.telephony.fsm_types import CallState

SRC = Path(__file__).resolve().parents[3] / "src" / "omnivox"
# The machines themselves, and migrations (frozen history: they must not follow renames).
OWNERS = {
    "telephony/fsm.py",
    "telephony/fsm_types.py",
    "telephony/fsm_table.py",
    "agents/fsm.py",
    "agents/fsm_types.py",
    "agents/fsm_table.py",
}
CALL_STATES = {s.value for s in CallState}
AGENT_STATES = {s.value for s in AgentState}
STATE_ATTRS = {"state", "current_state", "previous_state", "from_state", "to_state"}


def _mentions_state(node: ast.AST) -> bool:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Attribute) and sub.attr in STATE_ATTRS:
            return True
        if (
            isinstance(sub, ast.Subscript)
            and isinstance(sub.slice, ast.Constant)
            and sub.slice.value in STATE_ATTRS
        ):
            return True
    return False


def _strings(node: ast.AST) -> list[str]:
    return [
        sub.value
        for sub in ast.walk(node)
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str)
    ]


def _state_sets(tree: ast.Module) -> list[tuple[int, list[str]]]:
    """Module-level collections of state names (``_TALKING = {"connected", ...}``)."""
    found = []
    for stmt in tree.body:
        value = stmt.value if isinstance(stmt, ast.Assign | ast.AnnAssign) else None
        if isinstance(value, ast.Set | ast.List | ast.Tuple) and len(value.elts) >= 2:
            names = _strings(value)
            if len(names) == len(value.elts) and (
                set(names) <= CALL_STATES or set(names) <= AGENT_STATES
            ):
                found.append((stmt.lineno, names))
    return found


def _violations() -> list[str]:
    out = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if rel in OWNERS or rel.startswith("migrations/") or "/simulation/" in rel:
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Compare) and _mentions_state(node):
                texts = _strings(node)
            elif (  # Call.state.in_([...]) / .not_in([...]) in a query
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in {"in_", "not_in"}
                and _mentions_state(node.func.value)
            ):
                texts = [t for arg in node.args for t in _strings(arg)]
            elif isinstance(node, ast.keyword) and node.arg in STATE_ATTRS:
                texts = _strings(node.value)
            else:
                continue
            for text in texts:
                if text in CALL_STATES | AGENT_STATES:
                    out.append(f"{rel}:{getattr(node, 'lineno', 0)}: {text!r} used as a state")
        out += [f"{rel}:{n}: state names re-declared {names}" for n, names in _state_sets(tree)]
    return out


def test_no_state_string_outside_the_state_machines() -> None:
    assert _violations() == []


def test_the_check_catches_a_retyped_state(tmp_path: Path) -> None:
    tree = ast.parse('if call.state == "wrap_up":\n    pass\nTALKING = {"connected", "on_hold"}\n')
    compares = [n for n in ast.walk(tree) if isinstance(n, ast.Compare)]
    assert compares and _mentions_state(compares[0]) and "wrap_up" in _strings(compares[0])
    assert _state_sets(tree) == [(3, ["connected", "on_hold"])]
