"""Configuration: one pydantic-settings ``Settings`` from ``OMNIVOX_*`` variables and ``.env``.

Built by ``get_settings()`` and passed to ``create_app`` — never at import time — so tests
build their own. ``check_production`` lists every problem that must stop a production start.
"""

from __future__ import annotations

import ipaddress
import secrets
from enum import StrEnum
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET_KEY = "dev-insecure-secret-key-change-me"  # noqa: S105 - refused in production
MIN_SECRET_KEY_LENGTH = 32
MIN_METRICS_TOKEN_LENGTH = 16


def _random_secret() -> SecretStr:
    return SecretStr(secrets.token_urlsafe(32))


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class TwilioSettings(BaseModel):
    account_sid: str = ""
    auth_token: SecretStr = SecretStr("")
    api_key_sid: str = ""
    api_key_secret: SecretStr = SecretStr("")
    twiml_app_sid: str = ""


class SandboxSettings(BaseModel):
    """The simulated carrier used by default on a laptop and in tests (never production).

    Its secrets are random per start unless set: a public default would let anyone who can
    reach a laptop's server forge the carrier's webhooks or mint softphone tokens."""

    account_sid: str = "AC" + "5" * 32
    auth_token: SecretStr = Field(default_factory=_random_secret)
    api_key_sid: str = "SK" + "5" * 32
    api_key_secret: SecretStr = Field(default_factory=_random_secret)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="OMNIVOX_",
        env_file=".env",
        env_nested_delimiter="__",
        extra="ignore",
    )

    env: Environment = Environment.DEVELOPMENT
    database_url: str = "sqlite+aiosqlite:///./var/omnivox.db"
    redis_url: str = ""
    secret_key: SecretStr = SecretStr(DEFAULT_SECRET_KEY)
    public_base_url: str = ""
    telephony: Literal["sandbox", "twilio"] = "sandbox"
    twilio: TwilioSettings = Field(default_factory=TwilioSettings)
    sandbox: SandboxSettings = Field(default_factory=SandboxSettings)
    data_dir: Path = Path("./var")
    log_level: str = "INFO"
    log_json: bool = False
    session_hours: int = Field(default=12, ge=1, le=24 * 30)
    # Sign-in throttle: failures allowed before growing delays, per account from one
    # address, per address (password spraying) and per account from everywhere; failures
    # are forgotten after login_lockout_minutes without one, which also caps a delay.
    login_max_failures: int = Field(default=5, ge=1)
    login_address_max_failures: int = Field(default=20, ge=1)
    login_account_max_failures: int = Field(default=50, ge=1)
    login_lockout_minutes: int = Field(default=15, ge=1)
    login_throttle_max_rows: int = Field(default=100_000, ge=10)
    # Comma-separated CIDRs of reverse proxies whose X-Forwarded-For is believed.
    trusted_proxies: str = ""
    metrics_token: SecretStr = SecretStr("")
    wrap_up_seconds: int = Field(default=120, ge=5, le=3600)
    # CSV imports: one upload's bytes and rows, rejected-row records kept per import, and
    # the free space the data directory must keep after an upload is stored.
    max_import_bytes: int = Field(default=50_000_000, ge=1024)
    max_import_rows: int = Field(default=500_000, ge=1)
    max_import_rejections: int = Field(default=10_000, ge=0)
    max_dnc_import_bytes: int = Field(default=50 * 1024 * 1024, ge=1024)
    import_min_free_disk_bytes: int = Field(default=1_000_000_000, ge=0)
    # A running import beats after each batch; silent this long, its process is gone.
    import_stale_seconds: int = Field(default=120, ge=10)
    # A campaign's AMD delay figures come from its most recent answered calls, this many.
    amd_delay_sample_calls: int = Field(default=500, ge=10, le=100_000)
    # How often the job layer counts the settled part of each live campaign's legal window
    # ahead (dialer.window_tally), so the pacer and the wallboard count only the rest.
    dialer_window_tally_every_seconds: int = Field(default=60, ge=10, le=3600)
    # Machine-classified calls listed for review on the campaign's AMD review page.
    amd_review_list_calls: int = Field(default=100, ge=1, le=5000)
    # Reports: the longest range one query may cover (bounds the rollup rows read), and
    # how quickly a caller may hang up without counting as abandoned. The threshold is
    # one of the rollups' fixed wait buckets, so it stays a formula over stored counts.
    report_max_days: int = Field(default=400, ge=1, le=3660)
    report_short_abandon_seconds: Literal[10, 20, 30, 45, 60, 90, 120, 180] = 10
    # How far back `omnivox reports sweep` looks, by default, for ended calls whose
    # CallEnded was lost (a crash before the upkeep ran) and counts them.
    report_sweep_hours: int = Field(default=48, ge=1, le=24 * 400)
    # How often the job layer runs that sweep for every organisation by itself.
    report_sweep_every_seconds: int = Field(default=600, ge=10, le=86_400)
    # Live upkeep counts ended calls in batches, each in one transaction: a batch is
    # counted when it holds this many calls or this many milliseconds after its first
    # call ended, whichever comes first. A crash loses at most the batch not yet counted,
    # which the periodic sweep counts; the wallboard rebuilds after each batch, so keep
    # the delay well under its 2 s.
    report_upkeep_batch_size: int = Field(default=200, ge=1, le=5000)
    report_upkeep_batch_ms: int = Field(default=100, ge=0, le=1000)
    # Saved custom reports one person may keep, and widgets on one dashboard (each widget
    # runs a report when the dashboard opens).
    saved_reports_max_per_user: int = Field(default=200, ge=1, le=10_000)
    dashboard_max_widgets: int = Field(default=24, ge=1, le=200)
    # Background jobs. On PostgreSQL a procrastinate worker (`omnivox worker`) runs them;
    # jobs_in_server makes `omnivox serve` run one too. On SQLite the server always runs
    # them itself. jobs_tick_seconds: how often due work (schedules, retries) is looked for.
    jobs_in_server: bool = False
    jobs_tick_seconds: int = Field(default=30, ge=1, le=3600)
    # Report schedules: how many per organisation, recipients per schedule, the largest
    # attachment sent; sending attempts per slot and the first back-off (doubled after each
    # failure); how far back a slot missed while no server ran is still delivered (beyond
    # the one tick, jobs_tick_seconds, any slot may wait for its pass); how long
    # one attempt may hold a slot before another process may take it over.
    schedule_max_per_org: int = Field(default=100, ge=1)
    schedule_max_recipients: int = Field(default=20, ge=1, le=1000)
    schedule_max_attachment_bytes: int = Field(default=20_000_000, ge=1024)
    schedule_max_attempts: int = Field(default=5, ge=1, le=50)
    schedule_retry_seconds: int = Field(default=60, ge=1)
    schedule_catch_up_hours: int = Field(default=24, ge=0, le=24 * 31)
    schedule_lease_seconds: int = Field(default=600, ge=10)
    schedule_webhook_timeout_seconds: float = Field(default=30.0, gt=0, le=600)
    # Webhooks may post to loopback, private, link-local, multicast and unspecified
    # addresses (a receiver on the server's own network); off, such hosts are refused
    # when saved and when sent, so a schedule cannot reach inside the network.
    schedule_webhook_allow_private: bool = False
    # Outgoing e-mail (report schedules). starttls: upgrade the connection with STARTTLS.
    smtp_host: str = ""
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_username: str = ""
    smtp_password: SecretStr = SecretStr("")
    smtp_from: str = ""
    smtp_starttls: bool = True
    smtp_timeout_seconds: float = Field(default=30.0, gt=0, le=600)
    # A PDF is laid out whole in memory (WeasyPrint): the most rows one may hold. CSV and
    # XLSX stream and have no such bound.
    report_pdf_max_rows: int = Field(default=2000, ge=1, le=100_000)
    # Call records shown per page (and the most one API page may ask for).
    report_records_page_size: int = Field(default=100, ge=10, le=1000)
    # The largest sale amount an agent may record with a disposition, in the
    # organisation's currency (a typo of a few zeros would swamp the revenue figures).
    sale_amount_max: int = Field(default=1_000_000, ge=1, le=10**12)

    @field_validator("trusted_proxies")
    @classmethod
    def _cidrs(cls, value: str) -> str:
        for part in filter(None, (p.strip() for p in value.split(","))):
            try:
                ipaddress.ip_network(part, strict=False)
            except ValueError:
                raise ValueError(
                    f"OMNIVOX_TRUSTED_PROXIES: {part!r} is not an address or CIDR range"
                ) from None
        return value

    @property
    def trusted_proxy_networks(self) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
        parts = (p.strip() for p in self.trusted_proxies.split(","))
        return [ipaddress.ip_network(p, strict=False) for p in parts if p]

    @property
    def public_url(self) -> str:
        """Where the provider reaches us. Development falls back to the local server;
        production refuses to start without OMNIVOX_PUBLIC_BASE_URL (check_production)."""
        return (self.public_base_url or "http://127.0.0.1:8000").rstrip("/")

    @property
    def is_production(self) -> bool:
        return self.env is Environment.PRODUCTION

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def cookie_secure(self) -> bool:
        return self.is_production or self.public_base_url.startswith("https://")


def check_production(settings: Settings) -> list[str]:
    """Every reason a production start must be refused, each naming the variable to set."""
    if not settings.is_production:
        return []
    problems: list[str] = []
    key = settings.secret_key.get_secret_value()
    if key == DEFAULT_SECRET_KEY or len(key) < MIN_SECRET_KEY_LENGTH:
        problems.append(
            f"OMNIVOX_SECRET_KEY is the default or shorter than {MIN_SECRET_KEY_LENGTH} "
            "characters; set a long random value"
        )
    if settings.is_sqlite:
        problems.append("OMNIVOX_DATABASE_URL points at SQLite; production needs PostgreSQL")
    if not settings.public_base_url.startswith("https://"):
        problems.append(
            "OMNIVOX_PUBLIC_BASE_URL is missing or not https://; Twilio webhooks and "
            "signature checks need the public URL"
        )
    if len(settings.metrics_token.get_secret_value()) < MIN_METRICS_TOKEN_LENGTH:
        problems.append(
            f"OMNIVOX_METRICS_TOKEN is missing or shorter than {MIN_METRICS_TOKEN_LENGTH} "
            "characters; /metrics would be open to anyone (set a long random value and give "
            "it to your Prometheus scraper)"
        )
    if settings.telephony == "sandbox":
        problems.append("OMNIVOX_TELEPHONY is 'sandbox'; production needs 'twilio'")
    else:
        tw = settings.twilio
        required = {
            "OMNIVOX_TWILIO__ACCOUNT_SID": tw.account_sid,
            "OMNIVOX_TWILIO__AUTH_TOKEN": tw.auth_token.get_secret_value(),
            "OMNIVOX_TWILIO__API_KEY_SID": tw.api_key_sid,
            "OMNIVOX_TWILIO__API_KEY_SECRET": tw.api_key_secret.get_secret_value(),
            "OMNIVOX_TWILIO__TWIML_APP_SID": tw.twiml_app_sid,
        }
        problems.extend(f"{name} is missing" for name, value in required.items() if not value)
    return problems


class ConfigurationError(RuntimeError):
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("Omnivox cannot start in production:\n  - " + "\n  - ".join(problems))


def get_settings(**overrides: object) -> Settings:
    settings = Settings(**overrides)  # type: ignore[arg-type]
    problems = check_production(settings)
    if problems:
        raise ConfigurationError(problems)
    return settings
