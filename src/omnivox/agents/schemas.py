"""Pydantic shapes of the agents API. No ORM object crosses the edge."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from omnivox.agents.fsm import Actor, AgentState

# Lower-cased before the pattern is checked (pydantic checks the pattern on the raw input).
ReasonCode = Annotated[
    str,
    BeforeValidator(lambda v: v.strip().lower() if isinstance(v, str) else v),
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$"),
]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AgentStateWrite(_Strict):
    """A state a person may choose (the call states are set by the call flow)."""

    state: Literal[AgentState.AVAILABLE, AgentState.BREAK, AgentState.OFFLINE]
    reason: ReasonCode | None = None

    @model_validator(mode="after")
    def _reason_with_break(self) -> AgentStateWrite:
        if self.state == AgentState.BREAK and not self.reason:
            raise ValueError("a break needs a reason code (reason)")
        if self.state != AgentState.BREAK and self.reason:
            raise ValueError("only a break takes a reason code (reason)")
        return self


class AgentStatusRead(BaseModel):
    user_id: str
    name: str
    email: str
    role: str
    state: AgentState
    reason: str | None
    since: datetime | None  # None: never signed in as an agent
    seconds_in_state: float | None
    current_call_id: str | None
    missed_count: int
    # The agent's line: none (never asked for one), connecting, connected, dropped, off.
    line: str = "none"


class LineRequest(_Strict):
    """The desktop asks for its line; ``holding``: the line call its softphone still has
    (none after a reload), so a line the carrier still reports but the browser lost is
    replaced."""

    holding: str | None = Field(default=None, max_length=64)


class LineRead(BaseModel):
    status: str  # none | connecting | connected | dropped | off
    since: datetime | None
    sid: str | None  # the line call, as the softphone sees it
    call_id: str | None  # the call the line is in now
    drop_reason: str | None


class HistoryEntryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    from_state: AgentState
    to_state: AgentState
    reason: str | None
    call_id: str | None
    at: datetime
    by: Actor
    actor_id: str | None


class BreakReasonCreate(_Strict):
    code: ReasonCode
    label: Label
    sort_order: int = Field(default=0, ge=0, le=10_000)


class BreakReasonUpdate(_Strict):
    label: Label | None = None
    is_active: bool | None = None
    sort_order: int | None = Field(default=None, ge=0, le=10_000)


class BreakReasonRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    code: str
    label: str
    is_active: bool
    is_system: bool
    sort_order: int


class AgentTimeInState(BaseModel):
    user_id: str
    name: str
    seconds: dict[str, float]  # state -> seconds within the period
    break_seconds: dict[str, float]  # break reason code -> seconds


class TimeInStateReport(BaseModel):
    start: datetime
    end: datetime
    agents: list[AgentTimeInState]
