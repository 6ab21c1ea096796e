"""What the schedule tests share: a local SMTP server (aiosmtpd), a local webhook
receiver (a real HTTP server on a thread), and the job queue a test drives by hand."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from tests.support import Env

from omnivox.app import all_jobs
from omnivox.core.config import Settings
from omnivox.core.security.permissions import Role
from omnivox.core.tasks import TaskSupervisor
from omnivox.jobs import InProcessQueue

DAILY = {
    "name": "Queues yesterday",
    "metrics": ["calls_offered"],
    "by": ["queue"],
    "range": "yesterday",
    "frequency": "daily",
    "at": "07:00",
    "timezone": "UTC",
    "format": "csv",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Inbox:
    """aiosmtpd's handler: every message accepted."""

    messages: list[Any] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope)
        return "250 OK"


@dataclass
class Picky:
    """aiosmtpd's handler that refuses recipients starting with ``refuse``."""

    refuse: str | None
    messages: list[Any] = field(default_factory=list)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if self.refuse and address.startswith(self.refuse):
            return "550 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope)
        return "250 OK"


class RunningSmtp:
    def __init__(self, handler: Any, port: int) -> None:
        self._controller = Controller(handler, hostname="127.0.0.1", port=port)

    def __enter__(self) -> None:
        self._controller.start()

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()


class SmtpServer:
    def __init__(self, port: int) -> None:
        self.port = port
        self.inbox = Inbox()
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=port)

    def __enter__(self) -> Inbox:
        self._controller.start()
        return self.inbox

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()


@dataclass
class Hook:
    """Requests the webhook receiver got; ``status`` is what it answers."""

    requests: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    status: int = 200
    lock: threading.Lock = field(default_factory=threading.Lock)


def webhook_server() -> Iterator[tuple[str, Hook]]:
    hook = Hook()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            with hook.lock:
                hook.requests.append((dict(self.headers.items()), body))
            self.send_response(hook.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hooks/reports", hook
    finally:
        server.shutdown()
        server.server_close()


def mail_settings(env: Env, port: int, **extra: object) -> Settings:
    return env.settings.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": port,
            "smtp_from": "reports@omnivox.example.com",
            "smtp_starttls": False,
            "smtp_timeout_seconds": 5.0,
            **extra,
        }
    )


def job_queue(env: Env, settings: Settings) -> tuple[InProcessQueue, TaskSupervisor]:
    tasks = TaskSupervisor()
    return InProcessQueue(all_jobs(settings), env.sessions, settings, env.clock, tasks), tasks


async def admin(env: Env, slug: str = "acme", org: str | None = None) -> dict[str, str]:
    org_id = org or await env.org(slug)
    await env.user(org_id, f"boss@{slug}.example.com", Role.ORG_ADMIN)
    return await env.token(f"boss@{slug}.example.com")
