"""Sending a report file: by e-mail (SMTP, ``OMNIVOX_SMTP_*``) and to a webhook (an HTTP
POST of the file, signed ``X-Omnivox-Signature: sha256=<hex HMAC-SHA256 of the body>``
with the schedule's secret). Each raises on failure; the caller records and retries.

E-mail goes as one message per recipient over one connection: nobody sees the other
recipients' addresses, and a recipient the server refuses is retried alone, without
mailing again those who got it (one message with every address in Bcc would have to go
to all of them again, or to none).

A webhook's host must resolve to public addresses only (no loopback, private, link-local,
multicast, reserved or unspecified address), checked when it is saved and again when it
is sent, and the request goes to the address that was checked, so a name that changes
meanwhile cannot point it inside the network. ``OMNIVOX_SCHEDULE_WEBHOOK_ALLOW_PRIVATE``
lifts this for receivers on the server's own network.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import socket
from collections.abc import Mapping, Sequence
from email.message import EmailMessage
from urllib.parse import urlsplit, urlunsplit

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


class WebhookRefused(Exception):
    """The webhook's host cannot be resolved or is inside the network."""


async def check_webhook_host(url: str, settings: Settings) -> str | None:
    """The address to post to (the first the host resolves to), or None when private
    addresses are allowed (then the request resolves the name itself). The message
    names what the owner configured, never an address inside the network."""
    if settings.schedule_webhook_allow_private:
        return None
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise WebhookRefused(f"the webhook host {host!r} cannot be resolved") from None
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    if not addresses or any(_internal(a) for a in addresses):
        raise WebhookRefused(
            f"the webhook host {host!r} is a loopback, private, link-local, multicast or "
            "unspecified address; reports are sent to public addresses only "
            "(OMNIVOX_SCHEDULE_WEBHOOK_ALLOW_PRIVATE=true allows them)"
        )
    return str(addresses[0])


def _internal(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Loopback, private, link-local, multicast, unspecified, reserved, shared (carrier
    NAT) and the like: anything but a public unicast address."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return not address.is_global or address.is_multicast


async def send_email(
    settings: Settings,
    recipients: Sequence[str],
    subject: str,
    data: bytes,
    filename: str,
    mime: str,
    accepted: list[str],
) -> None:
    """Mail the file to each of ``recipients``, appending each address the server
    accepts to ``accepted`` as it goes; raises naming the refused ones, if any."""
    if not settings.smtp_host or not settings.smtp_from:
        raise SendFailed("no mail server configured (OMNIVOX_SMTP_HOST and OMNIVOX_SMTP_FROM)")
    password = settings.smtp_password.get_secret_value()
    server = f"mail server {settings.smtp_host}:{settings.smtp_port}"
    refused: dict[str, str] = {}
    try:
        async with aiosmtplib.SMTP(
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username or None,
            password=password or None,
            start_tls=settings.smtp_starttls,
            timeout=settings.smtp_timeout_seconds,
        ) as smtp:
            for recipient in recipients:
                message = _message(settings, recipient, subject, data, filename, mime)
                why = await _send_one(smtp, message, recipient)
                if why:
                    refused[recipient] = why
                else:
                    accepted.append(recipient)
    except (aiosmtplib.SMTPException, OSError) as exc:
        raise SendFailed(f"{server}: {exc or type(exc).__name__}") from None
    if refused:
        listed = "; ".join(f"{r} ({why})" for r, why in refused.items())
        raise SendFailed(f"{server} refused {len(refused)} recipient(s): {listed}")


async def _send_one(smtp: aiosmtplib.SMTP, message: EmailMessage, recipient: str) -> str:
    """Why the server refused ``recipient`` ("550 no such user"), or "" when it took it."""
    try:
        errors, _reply = await smtp.send_message(message, recipients=[recipient])
    except aiosmtplib.SMTPRecipientsRefused as exc:
        return "; ".join(f"{r.code} {r.message}".strip() for r in exc.recipients)
    except aiosmtplib.SMTPResponseException as exc:
        if exc.code // 100 != 5:
            raise  # a passing trouble of the server: the others would fail as well
        return f"{exc.code} {exc.message}".strip()
    return "; ".join(f"{r.code} {r.message}".strip() for r in errors.values())


def _message(
    settings: Settings, recipient: str, subject: str, data: bytes, filename: str, mime: str
) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = settings.smtp_from
    message["To"] = recipient
    message.set_content(f"{subject}\n\nThe report is attached ({filename}).\n\n-- Omnivox\n")
    maintype, subtype = mime.split("/", 1)
    message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return message


async def send_webhook(
    settings: Settings,
    url: str,
    secret: str,
    data: bytes,
    filename: str,
    mime: str,
    extra_headers: Mapping[str, str],
) -> None:
    try:
        address = await check_webhook_host(url, settings)
    except WebhookRefused as exc:
        raise SendFailed(str(exc)) from None
    headers = {
        "Content-Type": mime,
        "Content-Disposition": f'attachment; filename="{filename}"',
        "X-Omnivox-Signature": signature(secret, data),
        **extra_headers,
    }
    target, extensions = url, {}
    if address is not None:
        # To the checked address; the name still goes in Host and in TLS (SNI and the
        # certificate's check), so the receiver sees no difference.
        parts = urlsplit(url)
        host = f"[{address}]" if ":" in address else address
        netloc = host + (f":{parts.port}" if parts.port else "")
        target = urlunsplit(parts._replace(netloc=netloc))
        headers["Host"] = parts.netloc.rpartition("@")[2]
        extensions = {"sni_hostname": parts.hostname or ""}
    try:
        async with httpx.AsyncClient(
            timeout=settings.schedule_webhook_timeout_seconds, follow_redirects=False
        ) as client:
            response = await client.post(
                target, content=data, headers=headers, extensions=extensions
            )
    except httpx.HTTPError as exc:
        # The kind of failure only: the exception's text may describe the network inside.
        raise SendFailed(f"webhook {url}: {type(exc).__name__}") from None
    if not 200 <= response.status_code < 300:
        raise SendFailed(f"webhook {url} answered {response.status_code}")
