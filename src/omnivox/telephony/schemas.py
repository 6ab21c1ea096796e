"""Shapes of the calls API."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from omnivox.accounts import E164
from omnivox.telephony.fsm_types import TransferTargetKind


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CallCreate(Strict):
    to: E164
    from_: E164 | None = Field(
        default=None,
        alias="from",
        description="Caller ID; the organisation's first default if omitted",
    )


class TransferIn(Strict):
    kind: TransferTargetKind
    target: str = Field(min_length=1, max_length=64, description="agent user id or E.164 number")
    warm: bool = False


class ConferenceIn(Strict):
    number: str = Field(min_length=2, max_length=32)


class DispositionIn(Strict):
    code: str = Field(min_length=1, max_length=40)
    notes: str | None = Field(default=None, max_length=4000)
    amount: Decimal | None = Field(
        default=None,
        description="a sale's amount in the organisation's currency: required with a "
        "disposition of the category sale, refused with any other",
    )


class LegRead(BaseModel):
    id: str
    role: str
    target: str
    user_id: str | None
    status: str
    muted: bool
    on_hold: bool
    coaching: bool


class CallEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at: datetime
    event: str
    trigger: str | None
    from_state: str
    to_state: str
    applied: bool
    reason: str | None
    detail: str | None
    sequence_number: int | None


class CallRead(BaseModel):
    id: str
    state: str
    direction: str
    owner: dict[str, str]
    agent_id: str | None
    from_: str = Field(alias="from")
    to: str
    end_reason: str | None
    disposition: str | None
    notes: str | None = None
    flagged: bool
    created_at: str
    answered_at: str | None
    ended_at: str | None
    end_estimated: bool = False  # ended by reconciliation at the last known event
    sale_amount: str | None = None  # exact decimal, in the organisation's currency

    model_config = ConfigDict(populate_by_name=True)


class CallDetail(CallRead):
    legs: list[LegRead] = []
    history: list[CallEventRead] = []
    recordings: list[dict[str, Any]] = []


class TokenRead(BaseModel):
    identity: str
    token: str
    ttl_seconds: int
    sandbox_softphone_url: str | None = None
