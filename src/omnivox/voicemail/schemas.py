"""What the voicemail API reads and writes."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class VoicemailStatus(StrEnum):
    NEW = "new"
    ASSIGNED = "assigned"
    DONE = "done"


class VoicemailRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    queue_id: str | None
    box: str
    call_id: str | None
    caller_number: str
    called_number: str
    recording_sid: str
    duration_seconds: int
    received_at: datetime
    status: VoicemailStatus
    assigned_to: str | None
    assigned_at: datetime | None
    done_by: str | None
    done_at: datetime | None
    notes: str
    has_audio: bool = False


class VoicemailAssign(BaseModel):
    """``user_id`` null returns the voicemail to the unassigned pile."""

    user_id: str | None = Field(default=None, max_length=32)


class VoicemailDone(BaseModel):
    notes: str = Field(default="", max_length=4000)
