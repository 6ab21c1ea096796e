"""Agent domain errors, each with a stable code."""

from __future__ import annotations

from omnivox.core.errors import Conflict, FieldProblem, InvalidInput, NotFound


class AgentNotFound(NotFound):
    code = "agent-not-found"


class AgentStateConflict(Conflict):
    """The state machine refused the change (e.g. going on break during a call)."""

    code = "agent-state-conflict"

    def __init__(self, detail: str, *, reason: str = "invalid-transition") -> None:
        super().__init__(detail)
        self.reason = reason


class UnknownBreakReason(InvalidInput):
    code = "unknown-break-reason"

    def __init__(self, code: str) -> None:
        super().__init__(
            f"{code!r} is not an active break reason of this organisation",
            problems=[FieldProblem("reason", "unknown or inactive break reason")],
        )


class BreakReasonNotFound(NotFound):
    code = "break-reason-not-found"


class SystemBreakReason(Conflict):
    code = "system-break-reason"


class DispositionRequired(Conflict):
    """Available (or a break) asked for in wrap-up before the call's outcome is saved."""

    code = "disposition-required"
