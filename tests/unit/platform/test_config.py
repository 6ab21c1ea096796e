"""Production start-up refuses insecure or incomplete configuration, naming each problem."""

from __future__ import annotations

import pytest

from omnivox.core.config import ConfigurationError, Settings, check_production, get_settings


def _prod(**extra: object) -> Settings:
    return Settings(_env_file=None, env="production", **extra)  # type: ignore[call-arg, arg-type]


def test_development_defaults_are_accepted() -> None:
    assert check_production(Settings(_env_file=None)) == []  # type: ignore[call-arg]


def test_production_lists_every_missing_piece() -> None:
    problems = check_production(_prod())
    text = "\n".join(problems)
    for needle in (
        "OMNIVOX_SECRET_KEY",
        "OMNIVOX_DATABASE_URL",
        "OMNIVOX_PUBLIC_BASE_URL",
        "OMNIVOX_TELEPHONY",
    ):
        assert needle in text


def test_production_twilio_needs_every_credential() -> None:
    problems = check_production(
        _prod(
            secret_key="x" * 40,
            database_url="postgresql+asyncpg://db/omnivox",
            public_base_url="https://cc.example.com",
            telephony="twilio",
            twilio={"account_sid": "AC1", "auth_token": "t"},
            metrics_token="s" * 24,
        )
    )
    assert problems == [
        "OMNIVOX_TWILIO__API_KEY_SID is missing",
        "OMNIVOX_TWILIO__API_KEY_SECRET is missing",
        "OMNIVOX_TWILIO__TWIML_APP_SID is missing",
    ]


def test_complete_production_configuration_passes() -> None:
    settings = _prod(
        secret_key="x" * 40,
        database_url="postgresql+asyncpg://db/omnivox",
        public_base_url="https://cc.example.com",
        telephony="twilio",
        twilio={
            "account_sid": "AC1",
            "auth_token": "t",
            "api_key_sid": "SK1",
            "api_key_secret": "s",
            "twiml_app_sid": "AP1",
        },
        metrics_token="s" * 24,
    )
    assert check_production(settings) == []
    assert settings.cookie_secure


def test_short_secret_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMNIVOX_ENV", "production")
    monkeypatch.setenv("OMNIVOX_SECRET_KEY", "short")
    with pytest.raises(ConfigurationError) as err:
        get_settings(_env_file=None)
    assert "shorter than 32" in str(err.value)


def test_nested_twilio_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMNIVOX_TWILIO__ACCOUNT_SID", "AC123")
    assert get_settings(_env_file=None).twilio.account_sid == "AC123"


def test_production_requires_a_metrics_token() -> None:
    """Without it /metrics (routes, sign-in counts) would be public."""
    assert any("OMNIVOX_METRICS_TOKEN" in p for p in check_production(_prod()))
    assert not any(
        "OMNIVOX_METRICS_TOKEN" in p for p in check_production(_prod(metrics_token="s" * 24))
    )


def test_sandbox_secrets_are_random_per_start_unless_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No public default to forge sandbox webhooks or softphone tokens with."""
    one, two = Settings(_env_file=None), Settings(_env_file=None)  # type: ignore[call-arg]
    for secret in ("auth_token", "api_key_secret"):
        first = getattr(one.sandbox, secret).get_secret_value()
        assert first != getattr(two.sandbox, secret).get_secret_value()
        assert len(first) >= 32
        assert first not in {"sandbox-auth-token", "sandbox-api-key-secret-not-for-production"}
    monkeypatch.setenv("OMNIVOX_SANDBOX__AUTH_TOKEN", "chosen-by-the-operator")
    chosen = get_settings(_env_file=None).sandbox.auth_token.get_secret_value()
    assert chosen == "chosen-by-the-operator"
