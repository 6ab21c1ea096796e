"""Shapes of the numbers and queues API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    NaiveDatetime,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    field_validator,
    model_validator,
)

from omnivox.accounts import E164, ShortName
from omnivox.routing.types import OverflowKind, Strategy

_RETRY_FIELDS = {
    "callback_retries": ("Retries of an unanswered callback", 0, 5),
    "callback_retry_minutes": ("Minutes before an unanswered callback is tried again", 1, 120),
}


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class QueueWrite(Strict):
    name: ShortName
    strategy: Strategy = Strategy.LONGEST_IDLE
    priority: int = Field(default=0, ge=0, le=100)
    service_level_seconds: float = Field(default=20.0, gt=0, le=3600)
    max_wait_seconds: float | None = Field(default=None, gt=0, le=86400)
    overflow_kind: OverflowKind | None = None
    overflow_target: str | None = Field(default=None, max_length=64)
    offer_timeout_seconds: int = Field(default=15, ge=5, le=120)
    # accept: the agent's softphone rings, they accept or reject (a ring-out is missed);
    # auto: the agent's connected line is moved into the call, no click.
    answer_mode: Literal["accept", "auto"] = "accept"
    required_skills: dict[str, int] = Field(default_factory=dict, max_length=20)
    greeting: str = Field(default="Thank you for calling. Please hold.", max_length=500)
    # Seconds between position / estimated-wait announcements; None: music only.
    announce_every_seconds: int | None = Field(default=None, ge=20, le=900)
    callback_enabled: bool = False  # callers may hang up, keep their place, be called back
    # An unanswered callback (no answer, busy, failed) is tried this many more times, each
    # try this many minutes after the last one failed.
    callback_retries: int = Field(default=1, ge=0, le=5)
    callback_retry_minutes: int = Field(default=5, ge=1, le=120)

    @field_validator("callback_retries", "callback_retry_minutes", mode="wrap")
    @classmethod
    def _retry_range(
        cls, value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo
    ) -> Any:
        # pydantic would say "Input should be less than or equal to 5": say it in words.
        try:
            return handler(value)
        except ValidationError:
            what, low, high = _RETRY_FIELDS[str(info.field_name)]
            raise ValueError(
                f"{what} ({info.field_name}) must be a whole number from {low} to {high}, "
                f"not {value}"
            ) from None

    @model_validator(mode="after")
    def _overflow_pair(self) -> QueueWrite:
        # Operators read these: say what is wrong in words, and name the field to fix (the
        # admin page shows a message next to the first field it names).
        if (self.overflow_kind is None) != (self.overflow_target is None):
            raise ValueError(
                "Overflow (overflow_kind) and overflow target (overflow_target) must be "
                "set together, or both left empty"
            )
        if self.overflow_kind is not None and self.max_wait_seconds is None:
            raise ValueError(
                "Maximum wait (max_wait_seconds) must be set when an overflow is chosen"
            )
        for skill, level in self.required_skills.items():
            if not 1 <= level <= 10:
                raise ValueError(
                    f"Minimum proficiency for required skill {skill} (required_skills) must be "
                    f"between 1 and 10, not {level}"
                )
        return self


class QueueRead(QueueWrite):
    model_config = ConfigDict(from_attributes=True, extra="ignore")

    id: str


class Member(Strict):
    user_id: str
    priority: int = Field(default=0, ge=0, le=100)


class MembersWrite(Strict):
    members: list[Member] = Field(max_length=5000)


class QueueStats(BaseModel):
    queue_id: str
    waiting: int
    callbacks_waiting: int  # of ``waiting``: callers who hung up to be called back
    longest_wait_seconds: float | None
    agents_available: int
    answered_today: int
    abandoned_today: int
    service_level_today: float | None  # share answered within the threshold


class NumberWrite(Strict):
    number: E164
    friendly_name: str = Field(default="", max_length=120)
    # queue: its id; agent: a user's id (rings them, else their voicemail); voicemail: a
    # queue's id (that queue's box) or a user's id (their personal box). Flows come later.
    target_kind: Literal["queue", "agent", "voicemail"] = "queue"
    target_id: str = Field(min_length=1, max_length=64)


class NumberRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    number: str
    friendly_name: str
    target_kind: str
    target_id: str


class TransferTargetRead(BaseModel):
    """Where an agent can transfer a call now: an available colleague, or a queue."""

    id: str
    name: str
    kind: Literal["agent", "queue"] = "agent"


class CallBackIn(Strict):
    """When to call the customer back: wall-clock time in ``timezone`` (an IANA zone; by
    default the organisation's)."""

    due_local: NaiveDatetime
    timezone: str | None = Field(default=None, max_length=64)
    notes: str = Field(default="", max_length=4000)


class CallBackRead(BaseModel):
    id: str
    call_id: str
    queue_id: str
    number: str
    due_at: datetime
    timezone: str
