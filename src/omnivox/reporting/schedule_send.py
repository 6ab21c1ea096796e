"""Sending a report file: by e-mail (SMTP, ``OMNIVOX_SMTP_*``) and to a webhook (an HTTP
POST of the file, signed ``X-Omnivox-Signature: sha256=<hex HMAC-SHA256 of the body>``
with the schedule's secret). Each raises on failure; the caller records and retries."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from email.message import EmailMessage

import aiosmtplib
import httpx

from omnivox.core.config import Settings

MIME_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


class SendFailed(Exception):
    """A destination refused or could not be reached (retried with back-off)."""


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


async def send_email(
    settings: Settings,
    recipients: Sequence[str],
    subject: str,
    data: bytes,
    filename: str,
    mime: str,
) -> None:
    if not settings.smtp_host or not settings.smtp_from:
        raise SendFailed("no mail server configured (OMNIVOX_SMTP_HOST and OMNIVOX_SMTP_FROM)")
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = settings.smtp_from
    message["To"] = ", ".join(recipients)
    message.set_content(f"{subject}\n\nThe report is attached ({filename}).\n\n-- Omnivox\n")
    maintype, subtype = mime.split("/", 1)
    message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    password = settings.smtp_password.get_secret_value()
    try:
        _errors, _reply = await aiosmtplib.send(
            message,
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username or None,
            password=password or None,
            start_tls=settings.smtp_starttls,
            timeout=settings.smtp_timeout_seconds,
        )
    except (aiosmtplib.SMTPException, OSError) as exc:
        raise SendFailed(
            f"mail server {settings.smtp_host}:{settings.smtp_port}: {exc or type(exc).__name__}"
        ) from None


async def send_webhook(
    settings: Settings,
    url: str,
    secret: str,
    data: bytes,
    filename: str,
    mime: str,
    extra_headers: Mapping[str, str],
) -> None:
    headers = {
        "Content-Type": mime,
        "Content-Disposition": f'attachment; filename="{filename}"',
        "X-Omnivox-Signature": signature(secret, data),
        **extra_headers,
    }
    try:
        async with httpx.AsyncClient(
            timeout=settings.schedule_webhook_timeout_seconds, follow_redirects=False
        ) as client:
            response = await client.post(url, content=data, headers=headers)
    except httpx.HTTPError as exc:
        raise SendFailed(f"webhook {url}: {type(exc).__name__}: {exc}") from None
    if not 200 <= response.status_code < 300:
        raise SendFailed(f"webhook {url} answered {response.status_code}")
