"""Telephony errors, each with a stable code (mapped to problem-details by the app)."""

from __future__ import annotations

from omnivox.core.errors import DomainError


class ProviderError(DomainError):
    """The telephony provider refused a request or could not be reached.

    ``provider_code`` is the provider's own error code (Twilio's 5-digit codes) when known,
    so logs and the call history say exactly what the carrier answered.
    """

    code = "telephony-provider-error"
    status = 502
    title = "The telephony provider refused the request"

    def __init__(
        self, detail: str, *, provider_code: int | None = None, http_status: int | None = None
    ) -> None:
        super().__init__(detail)
        self.provider_code = provider_code
        self.http_status = http_status


class ProviderResourceNotFoundError(ProviderError):
    code = "telephony-resource-not-found"
    status = 404
    title = "The provider has no such call, conference or recording"


class InvalidWebhookError(DomainError):
    """A webhook whose signature is missing or wrong, or whose body cannot be understood."""

    code = "invalid-webhook"
    status = 403
    title = "Webhook rejected"


class ConcurrentUpdateError(DomainError):
    code = "concurrent-update"
    status = 409
    title = "The call changed too often to apply this; try again"
