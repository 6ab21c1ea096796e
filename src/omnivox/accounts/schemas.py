"""Pydantic shapes of the accounts API. No ORM object crosses the edge."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import phonenumbers
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)

from omnivox.accounts.currencies import check_currency
from omnivox.core.security.permissions import Role

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


def _check_timezone(value: str) -> str:
    if value not in available_timezones():
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r} (use an IANA name such as Europe/London)"
            ) from None
    return value


def _check_e164(value: str) -> str:
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        raise ValueError(f"{value!r} is not an E.164 number like +14155550100") from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError(f"{value!r} is not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _check_slug(value: str) -> str:
    if not SLUG_RE.match(value):
        raise ValueError("use 1-63 lowercase letters, digits and hyphens, not at either end")
    return value


def _check_local_time(value: time) -> time:
    if value.tzinfo is not None:
        raise ValueError("give a local wall-clock time without a UTC offset, such as 09:00")
    return value


# A wall-clock time in the organisation's zone. OpenAPI's "time" format is RFC 3339's
# full-time, which needs an offset; these have none, so the contract states the pattern.
LocalTime = Annotated[
    time,
    AfterValidator(_check_local_time),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?$",
            "examples": ["09:00", "17:30:00"],
        }
    ),
]
TimeZoneName = Annotated[str, AfterValidator(_check_timezone)]
CurrencyCode = Annotated[str, AfterValidator(check_currency)]
E164 = Annotated[str, AfterValidator(_check_e164)]
Slug = Annotated[str, AfterValidator(_check_slug)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
ShortName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
Password = Annotated[str, StringConstraints(min_length=1, max_length=256)]


class ReadModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- organisations -------------------------------------------------------------------------


class OrganizationCreate(Strict):
    slug: Slug
    name: Name
    timezone: TimeZoneName = "UTC"
    locale: ShortName = "en-US"


class OrganizationUpdate(Strict):
    name: Name | None = None
    timezone: TimeZoneName | None = None
    locale: ShortName | None = None
    default_caller_ids: list[E164] | None = Field(default=None, max_length=50)
    require_2fa: bool | None = None
    require_2fa_roles: list[Role] | None = Field(default=None, max_length=len(Role))
    supervisor_scope: Literal["organisation", "teams"] | None = None
    ip_allow_web: list[str] | None = Field(default=None, max_length=100)
    ip_allow_api: list[str] | None = Field(default=None, max_length=100)
    is_active: bool | None = None
    api_token_max_days: int | None = Field(default=None, ge=1, le=3650)
    # Lower than the deployment's OMNIVOX_MAX_IMPORT_BYTES / _ROWS to take effect; 0: none.
    import_max_bytes: int | None = Field(default=None, ge=0, le=10**12)
    import_max_rows: int | None = Field(default=None, ge=0, le=10**9)
    # What sale amounts are in (ISO 4217); amounts already recorded are not converted.
    currency: CurrencyCode | None = None
    # First-contact resolution: a handled call from the same number within this many
    # days is a repeat contact (reports).
    repeat_contact_days: int | None = Field(default=None, ge=1, le=90)


class OrganizationRead(ReadModel):
    id: str
    slug: str
    name: str
    timezone: str
    locale: str
    default_caller_ids: list[str]
    require_2fa: bool
    require_2fa_roles: list[str]
    supervisor_scope: str
    ip_allow_web: list[str]
    ip_allow_api: list[str]
    is_active: bool
    api_token_max_days: int
    import_max_bytes: int
    import_max_rows: int
    currency: str
    repeat_contact_days: int
    created_at: datetime


class ComplianceSettings(Strict):
    abandon_rate_cap: Decimal = Field(ge=Decimal("0"), le=Decimal("0.5"), decimal_places=4)
    abandon_window_hours: int = Field(ge=1, le=24 * 366)
    calling_window_start: LocalTime
    calling_window_end: LocalTime
    recording_disclosure: str = Field(max_length=2000)

    @model_validator(mode="after")
    def _window_order(self) -> ComplianceSettings:
        if self.calling_window_start >= self.calling_window_end:
            raise ValueError("the calling window must start (calling_window_start) before it ends")
        return self


class HoursInterval(Strict):
    weekday: int = Field(ge=0, le=6, description="0 = Monday … 6 = Sunday")
    opens: LocalTime
    closes: LocalTime

    @model_validator(mode="after")
    def _order(self) -> HoursInterval:
        if self.opens >= self.closes:
            raise ValueError("the opening time (opens) must be before the closing time")
        return self


class BusinessHoursWrite(Strict):
    intervals: list[HoursInterval] = Field(max_length=7 * 8)


class BusinessHoursRead(BaseModel):
    timezone: str
    intervals: list[HoursInterval]


class HolidayCreate(Strict):
    name: ShortName
    starts_on: date
    ends_on: date

    @model_validator(mode="after")
    def _order(self) -> HolidayCreate:
        if self.ends_on < self.starts_on:
            raise ValueError("the last day (ends_on) must be on or after the first day")
        return self


class HolidayRead(ReadModel):
    id: str
    name: str
    starts_on: date
    ends_on: date


# --- users, teams, skills ------------------------------------------------------------------


class UserCreate(Strict):
    email: EmailStr
    name: Name
    role: Role
    password: Password


class UserUpdate(Strict):
    name: Name | None = None
    role: Role | None = None
    is_active: bool | None = None
    password: Password | None = None


class SkillLevel(Strict):
    skill_id: str
    proficiency: int = Field(ge=1, le=10)


class UserSkillsWrite(Strict):
    skills: list[SkillLevel] = Field(max_length=200)


class UserRead(BaseModel):
    id: str
    email: str
    name: str
    role: Role
    is_active: bool
    totp_enabled: bool
    created_at: datetime
    last_login_at: datetime | None
    skills: list[SkillLevel] = []


class TeamCreate(Strict):
    name: ShortName
    description: str = Field(default="", max_length=2000)


class TeamUpdate(Strict):
    name: ShortName | None = None
    description: str | None = Field(default=None, max_length=2000)


class TeamMembersWrite(Strict):
    user_ids: list[str] = Field(max_length=5000)


class TeamRead(BaseModel):
    id: str
    name: str
    description: str
    member_ids: list[str]


class SkillCreate(Strict):
    name: ShortName
    description: str = Field(default="", max_length=2000)


class SkillUpdate(Strict):
    name: ShortName | None = None
    description: str | None = Field(default=None, max_length=2000)


class SkillRead(ReadModel):
    id: str
    name: str
    description: str


# --- dispositions --------------------------------------------------------------------------


class DispositionCategory(StrEnum):
    CONTACT = "contact"
    NO_CONTACT = "no_contact"
    SALE = "sale"
    CALLBACK = "callback"
    DO_NOT_CALL = "do_not_call"
    WRONG_NUMBER = "wrong_number"
    SYSTEM = "system"


DispositionCode = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9_-]{1,40}$")
]


#: Categories whose calls reached the person the call was for (a right-party contact),
#: unless the organisation says otherwise for a disposition.
RIGHT_PARTY_CATEGORIES = frozenset(
    {DispositionCategory.SALE, DispositionCategory.CONTACT, DispositionCategory.CALLBACK}
)


class DispositionCreate(Strict):
    code: DispositionCode
    label: ShortName
    category: DispositionCategory
    is_final: bool = False
    sort_order: int = Field(default=0, ge=0, le=10_000)
    # None: the category's default (RIGHT_PARTY_CATEGORIES).
    right_party: bool | None = None


class DispositionUpdate(Strict):
    label: ShortName | None = None
    category: DispositionCategory | None = None
    is_final: bool | None = None
    right_party: bool | None = None
    is_active: bool | None = None
    sort_order: int | None = Field(default=None, ge=0, le=10_000)


class DispositionRead(ReadModel):
    id: str
    code: str
    label: str
    category: DispositionCategory
    is_final: bool
    is_active: bool
    sort_order: int
    right_party: bool


# --- own account, tokens, audit ------------------------------------------------------------


class PasswordChange(Strict):
    current_password: Password
    new_password: Password


class TotpSetupRead(BaseModel):
    secret: str
    otpauth_uri: str


class TotpCode(Strict):
    code: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\d{6}$")]


class ApiTokenCreate(Strict):
    name: ShortName
    # Every token expires; the organisation's api_token_max_days bounds it further.
    expires_in_days: int = Field(default=90, ge=1, le=3650)
    scope: Literal["read", "role", "custom"] = Field(
        default="role",
        description=(
            "read: the read permissions of your role; role: everything your role may do "
            "except creating tokens; custom: exactly `permissions` (which may include "
            "tokens:manage), none beyond your role or your own token's scope."
        ),
    )
    permissions: list[str] = Field(default_factory=list, max_length=64)


class ApiTokenRead(ReadModel):
    id: str
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    revoked_reason: str | None = None
    last_used_at: datetime | None
    last_used_from: str | None = None
    scopes: list[str] | None = Field(
        default=None, description="Permission names it may use; null: its user's whole role."
    )


class ApiTokenCreated(ApiTokenRead):
    token: str = Field(description="Shown once; store it now.")


class AuditRead(ReadModel):
    id: str
    actor_email: str
    action: str
    entity_type: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    created_at: datetime


class MeRead(BaseModel):
    id: str
    email: str
    name: str
    role: Role
    organization: OrganizationRead
    permissions: list[str]
    totp_enabled: bool
