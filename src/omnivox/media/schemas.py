"""What the audio library's API reads and writes (no ORM object crosses the edge)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from omnivox.media.audio_types import AudioKind


class AudioFileRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    kind: AudioKind
    format: str
    content_type: str
    duration_seconds: float
    sample_rate: int
    channels: int
    size_bytes: int
    sha256: str
    original_filename: str
    created_by: str | None
    created_at: datetime
    used_for: list[AudioKind] = Field(default_factory=list)


class AudioRename(BaseModel):
    name: str = Field(min_length=1, max_length=120)

    @field_validator("name")
    @classmethod
    def _strip(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("the name cannot be blank")
        return value


class AudioSettingWrite(BaseModel):
    """Choose the file that plays for ``kind``; ``file_id`` null means the spoken fallback."""

    kind: AudioKind
    file_id: str | None = None


class AudioSettingRead(BaseModel):
    kind: AudioKind
    file_id: str | None
    file_name: str | None
