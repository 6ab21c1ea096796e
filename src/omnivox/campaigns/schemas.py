"""Pydantic shapes of the campaigns API. No ORM object crosses the edge."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from omnivox.accounts import E164, DispositionCode, LocalTime, TimeZoneName

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
Id = Annotated[str, StringConstraints(min_length=1, max_length=32)]
AudioRef = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]


class DialMode(StrEnum):
    MANUAL = "manual"
    PREVIEW = "preview"
    PROGRESSIVE = "progressive"
    PREDICTIVE = "predictive"


class AmdAction(StrEnum):
    VOICEMAIL_DROP = "voicemail_drop"
    HANGUP = "hangup"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReadModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class RetryRuleIn(Strict):
    code: DispositionCode
    retry_after_minutes: int = Field(ge=1, le=60 * 24 * 90)
    max_retries: int = Field(ge=0, le=100)


DEFAULT_RETRY_RULES = [
    RetryRuleIn(code="NO_ANSWER", retry_after_minutes=120, max_retries=5),
    RetryRuleIn(code="BUSY", retry_after_minutes=30, max_retries=5),
    RetryRuleIn(code="VOICEMAIL", retry_after_minutes=240, max_retries=3),
    # The 72-hour hold after an abandoned call is a gate of its own (lifted when an agent is
    # guaranteed), so the rule itself only spaces the retry.
    RetryRuleIn(code="ABANDONED", retry_after_minutes=60, max_retries=2),
]


class _CampaignFields(Strict):
    description: str | None = Field(default=None, max_length=5000)
    caller_ids: list[E164] | None = Field(default=None, max_length=50)
    window_start: LocalTime | None = None
    window_end: LocalTime | None = None
    calling_days: list[Annotated[int, Field(ge=0, le=6)]] | None = Field(
        default=None, min_length=1, max_length=7
    )
    max_attempts: int | None = Field(default=None, ge=1, le=100)
    retry_rules: list[RetryRuleIn] | None = Field(default=None, max_length=50)
    amd_enabled: bool | None = None
    amd_action: AmdAction | None = None
    # Share of machine verdicts that were people (reviews measure it: docs/dialer.md).
    amd_false_positive_estimate: Decimal | None = Field(
        default=None, ge=Decimal(0), le=Decimal("0.2"), decimal_places=4
    )
    voicemail_audio: AudioRef | None = None
    safe_harbour_text: str | None = Field(default=None, max_length=2000)
    safe_harbour_audio: AudioRef | None = None
    abandon_rate_cap: Decimal | None = Field(default=None, ge=Decimal(0), le=Decimal("0.5"))
    abandon_window_hours: int | None = Field(default=None, ge=1, le=24 * 366)
    agent_ids: list[Id] | None = Field(default=None, max_length=1000)
    team_ids: list[Id] | None = Field(default=None, max_length=200)
    script: str | None = Field(default=None, max_length=20_000)
    list_ids: list[Id] | None = Field(default=None, max_length=200)

    @model_validator(mode="after")
    def _window_order(self) -> _CampaignFields:
        if self.window_start and self.window_end and self.window_start >= self.window_end:
            raise ValueError("the calling window must start (window_start) before it ends")
        codes = [r.code.upper() for r in self.retry_rules or []]
        if len(codes) != len(set(codes)):
            raise ValueError("give one retry rule per disposition code (retry_rules)")
        return self


class CampaignCreate(_CampaignFields):
    name: Name
    dial_mode: DialMode = DialMode.PROGRESSIVE


class CampaignUpdate(_CampaignFields):
    name: Name | None = None
    dial_mode: DialMode | None = None


class RetryRuleRead(BaseModel):
    code: str
    retry_after_minutes: int
    max_retries: int


class CampaignRead(ReadModel):
    id: str
    name: str
    description: str
    dial_mode: str
    status: str
    caller_ids: list[str]
    window_start: LocalTime
    window_end: LocalTime
    calling_days: list[int]
    max_attempts: int
    retry_rules: list[RetryRuleRead]
    amd_enabled: bool
    amd_action: str
    amd_false_positive_estimate: Decimal
    voicemail_audio: str
    safe_harbour_text: str
    safe_harbour_audio: str
    abandon_rate_cap: Decimal
    abandon_window_hours: int
    agent_ids: list[str]
    team_ids: list[str]
    script: str
    list_ids: list[str] = []
    created_at: datetime
    updated_at: datetime


class StatusChangeRead(ReadModel):
    from_status: str
    to_status: str
    actor_email: str
    at: datetime


class ListCreate(Strict):
    name: Name
    description: str = Field(default="", max_length=5000)


class ListUpdate(Strict):
    name: Name | None = None
    description: str | None = Field(default=None, max_length=5000)


class ListRead(ReadModel):
    id: str
    name: str
    description: str
    created_at: datetime
    contacts: int = 0


class ContactCreate(Strict):
    phone: E164
    first_name: str = Field(default="", max_length=200)
    last_name: str = Field(default="", max_length=200)
    email: str = Field(default="", max_length=254)
    timezone: TimeZoneName | None = None
    priority: int = Field(default=0, ge=-1000, le=1000)
    custom_fields: dict[str, str] = Field(default_factory=dict, max_length=200)


class ContactRead(ReadModel):
    id: str
    list_id: str
    phone: str
    first_name: str
    last_name: str
    email: str
    custom_fields: dict[str, Any]
    timezone: str
    timezone_source: str
    status: str
    priority: int
    attempts: int
    last_attempt_at: datetime | None
    next_attempt_at: datetime | None
    last_disposition: str | None
    created_at: datetime


class AttemptRead(ReadModel):
    id: str
    campaign_id: str
    call_id: str | None
    agent_id: str | None
    at: datetime
    disposition: str | None
    completed_at: datetime | None


class ContactDetail(ContactRead):
    attempts_history: list[AttemptRead] = []


class ContactPage(BaseModel):
    items: list[ContactRead]
    total: int
    page: int
    per_page: int


class ImportRead(ReadModel):
    id: str
    list_id: str
    campaign_id: str | None
    filename: str
    status: str
    error: str
    size_bytes: int
    bytes_read: int
    rows_total: int
    imported: int
    duplicates: int
    rejected: int
    dnc: int
    rejections_not_kept: int
    created_by: str
    created_at: datetime
    finished_at: datetime | None
    percent: int = 0


class DncCreate(Strict):
    phone: E164
    campaign_id: Id | None = None
    note: str = Field(default="", max_length=500)


class DncRead(ReadModel):
    id: str
    phone: str
    scope: str
    campaign_id: str | None
    source: str
    note: str
    added_by: str
    added_at: datetime


class DncImportResult(BaseModel):
    added: int
    already_listed: int
    rejected: list[dict[str, Any]]


class CallbackCreate(Strict):
    contact_id: Id
    campaign_id: Id
    agent_id: Id | None = None
    # Wall-clock time in ``timezone`` (default: the contact's zone); stored as UTC.
    due_local: datetime
    timezone: TimeZoneName | None = None
    notes: str = Field(default="", max_length=2000)

    @model_validator(mode="after")
    def _naive(self) -> CallbackCreate:
        if self.due_local.tzinfo is not None:
            raise ValueError(
                "the due time (due_local) is a wall-clock time without a UTC offset; "
                "give the zone in timezone"
            )
        return self


class CallbackRead(ReadModel):
    id: str
    campaign_id: str
    contact_id: str
    agent_id: str | None
    due_at: datetime
    timezone: str
    status: str
    notes: str
    created_by: str
    created_at: datetime
