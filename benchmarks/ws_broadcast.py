"""WebSocket broadcast benchmark: N browsers on one app node receive an event.

    python benchmarks/ws_broadcast.py [--clients 1000] [--rounds 20]

Starts the node under test in a subprocess (uvicorn on a loopback port, SQLite, the
in-process bus) and connects N supervisor sessions to ``/ws/events``. Each round an agent
changes state through the real API (``PUT /api/v1/agents/me/state``): the service commits,
publishes ``agent.state_changed``, and the hub filters it per connection and sends it to
every supervisor. Latency is measured from just before the HTTP request to each client's
receipt (same machine, same wall clock), so it includes the request, the database commit,
the fan-out and the clients' own event loop. Memory is the node's resident set (VmRSS).

Baselines from the same run: the same node with 1 client, and a bare Starlette app that
sends one text frame to every socket (no auth, no filtering, no database).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent


# --- the servers (run in a subprocess) -------------------------------------------------------


def serve_omnivox(db_url: str, port: int) -> None:
    import uvicorn

    from omnivox.app import create_app
    from omnivox.core.config import Settings

    settings = Settings(_env_file=None, database_url=db_url, env="test", log_level="WARNING")  # type: ignore[call-arg]
    uvicorn.run(
        create_app(settings),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="off",
        ws="websockets-sansio",
        backlog=4096,
    )


def serve_bare(port: int) -> None:
    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route, WebSocketRoute
    from starlette.websockets import WebSocket, WebSocketDisconnect

    sockets: set[WebSocket] = set()

    async def ws(websocket: WebSocket) -> None:
        await websocket.accept()
        sockets.add(websocket)
        await websocket.send_text('{"name":"hello"}')
        try:
            while True:
                await websocket.receive_text()
        except WebSocketDisconnect:
            sockets.discard(websocket)

    async def broadcast(_request: Request) -> PlainTextResponse:
        text = json.dumps({"name": "agent.state_changed", "at": "", "data": {}})
        for sock in list(sockets):
            await sock.send_text(text)
        return PlainTextResponse("ok")

    app = Starlette(
        routes=[WebSocketRoute("/ws/events", ws), Route("/broadcast", broadcast, methods=["POST"])]
    )
    uvicorn.run(
        app, host="127.0.0.1", port=port, log_level="warning", ws="websockets-sansio", backlog=4096
    )


# --- set-up ---------------------------------------------------------------------------------


async def seed(db_url: str, sessions: int) -> tuple[str, list[str]]:
    """An organisation, one agent (API token) and ``sessions`` supervisor sessions."""
    from datetime import UTC, datetime, timedelta

    from omnivox.accounts import api_tokens, auth, organizations, users
    from omnivox.accounts.auth import LoginPolicy
    from omnivox.accounts.schemas import ApiTokenCreate, OrganizationCreate, UserCreate
    from omnivox.core.db import create_engine, create_session_factory
    from omnivox.core.security.permissions import Role
    from omnivox.core.security.principal import Principal

    engine = create_engine(db_url)
    now = datetime.now(UTC)
    async with create_session_factory(engine)() as s:
        org = await organizations.create_organization(
            s, Principal.system(""), OrganizationCreate(slug="bench", name="Bench")
        )
        actor = Principal("", org.id, "system", "System", Role.PLATFORM_ADMIN, "system")
        made = {}
        for who, role in (("agent", Role.AGENT), ("sup", Role.SUPERVISOR)):
            made[who] = await users.create_user(
                s,
                actor,
                UserCreate(
                    email=f"{who}@bench.example.com", name=who, role=role, password="long-enough-1"
                ),
            )
        _, token = await api_tokens.create_api_token(
            s, auth.principal_of(made["agent"], "system"), ApiTokenCreate(name="bench"), now
        )
        policy = LoginPolicy(5, timedelta(minutes=5), timedelta(hours=12))
        sids = [
            (await auth.start_session(s, made["sup"], now, policy, mfa_pending=False)).session_id
            for _ in range(sessions)
        ]
    await engine.dispose()
    return token, sids


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def start_server(args: list[str], port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.Popen([sys.executable, __file__, *args], env=env, cwd=ROOT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("server did not start")


# --- the measurement ------------------------------------------------------------------------


@dataclass
class Result:
    label: str
    clients: int
    latencies_ms: list[float]
    rss_idle_mib: float
    rss_connected_mib: float
    connect_seconds: float

    def pct(self, p: float) -> float:
        values = sorted(self.latencies_ms)
        return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]

    @property
    def per_client_kib(self) -> float:
        return (self.rss_connected_mib - self.rss_idle_mib) * 1024 / max(1, self.clients)

    def line(self) -> str:
        return (
            f"{self.label:<28} clients={self.clients:>5}  samples={len(self.latencies_ms):>6}  "
            f"p50={self.pct(50):7.1f} ms  p99={self.pct(99):7.1f} ms  "
            f"max={max(self.latencies_ms):7.1f} ms  "
            f"RSS idle={self.rss_idle_mib:6.1f} MiB  connected={self.rss_connected_mib:6.1f} MiB  "
            f"(+{self.per_client_kib:.1f} KiB/client)  "
            f"connect={self.connect_seconds:.1f} s"
        )


class Tally:
    """Receipts of the current round, shared by every client."""

    def __init__(self, expected: int) -> None:
        self.expected, self.count, self.done = expected, 0, asyncio.Event()

    def reset(self) -> None:
        self.count = 0
        self.done.clear()

    def hit(self) -> None:
        self.count += 1
        if self.count >= self.expected:
            self.done.set()


class RawClient(asyncio.Protocol):
    """A minimal WebSocket client: handshake, then unmasked server frames parsed by hand.

    Deliberately cheap, so that with 1,000 sockets in one process the figures measure the
    server, not the client library: a frame is stamped when its bytes reach this process.
    """

    def __init__(self, path: str, headers: dict[str, str], marker: bytes, tally: Tally) -> None:
        self.path, self.headers, self.marker, self.tally = path, headers, marker, tally
        self.buf = b""
        self.open: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.stamps: list[float] = []
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        key = base64.b64encode(os.urandom(16)).decode()
        extra = "".join(f"{k}: {v}\r\n" for k, v in self.headers.items())
        transport.write(
            f"GET {self.path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            f"Sec-WebSocket-Version: 13\r\n{extra}\r\n".encode()
        )

    def data_received(self, data: bytes) -> None:
        now = time.time()
        self.buf += data
        if not self.open.done():
            head, sep, rest = self.buf.partition(b"\r\n\r\n")
            if not sep:
                return
            if b" 101 " not in head.split(b"\r\n", 1)[0]:
                self.open.set_exception(RuntimeError(head.decode(errors="replace")))
                return
            self.buf = rest
            self.open.set_result(None)
        while len(self.buf) >= 2:
            size, offset = self.buf[1] & 0x7F, 2
            if size == 126:
                size, offset = int.from_bytes(self.buf[2:4], "big"), 4
            elif size == 127:
                size, offset = int.from_bytes(self.buf[2:10], "big"), 10
            if len(self.buf) < offset + size:
                return
            opcode, payload = self.buf[0] & 0x0F, self.buf[offset : offset + size]
            self.buf = self.buf[offset + size :]
            if opcode == 0x1 and self.marker in payload:
                self.stamps.append(now)
                self.tally.hit()
            elif opcode == 0x8 and not self.open.done():  # closed during the handshake
                self.open.set_exception(RuntimeError("closed by the server"))


async def measure(
    label: str,
    port: int,
    pid: int,
    headers_for: list[dict[str, str]],
    trigger: Any,
    rounds: int,
) -> Result:
    loop = asyncio.get_running_loop()
    idle = rss_mib(pid)
    limit = asyncio.Semaphore(100)
    tally = Tally(len(headers_for))

    async def open_one(headers: dict[str, str]) -> RawClient:
        async with limit:
            _t, client = await loop.create_connection(
                lambda: RawClient("/ws/events", headers, b"agent.state_changed", tally),
                "127.0.0.1",
                port,
            )
            await asyncio.wait_for(client.open, 60)
            return client

    t = time.monotonic()
    clients = await asyncio.gather(*(open_one(h) for h in headers_for))
    connect_seconds = time.monotonic() - t
    await asyncio.sleep(1.0)
    connected = rss_mib(pid)
    sent: list[float] = []
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
        for _r in range(rounds):
            await asyncio.sleep(0.2)  # let the previous round drain fully
            tally.reset()
            sent.append(time.time())
            await trigger(http, _r)
            await asyncio.wait_for(tally.done.wait(), 30)
    for c in clients:
        assert c.transport is not None
        c.transport.close()
    # Round 0 warms the node up (first request, lazy imports) and is not counted.
    latencies = [(c.stamps[r] - sent[r]) * 1000 for c in clients for r in range(1, rounds)]
    return Result(label, len(clients), latencies, idle, connected, connect_seconds)


async def run(clients: int, rounds: int) -> list[Result]:
    from omnivox.core.db import upgrade_database

    results: list[Result] = []
    with tempfile.TemporaryDirectory() as tmp:
        db_url = f"sqlite+aiosqlite:///{tmp}/bench.db"
        upgrade_database(db_url)
        token, sids = await seed(db_url, clients)
        toggles = iter(lambda: None, 1)  # endless; the state must differ every round
        flips = (("available", "offline")[i % 2] for i, _ in enumerate(toggles))

        async def change_state(http: httpx.AsyncClient, _r: int) -> None:
            resp = await http.put(
                "/api/v1/agents/me/state",
                json={"state": next(flips)},
                headers={"Authorization": f"Bearer {token}"},
            )
            resp.raise_for_status()

        for n, label in (
            (1, "omnivox node, 1 client"),
            (clients, f"omnivox node, {clients} clients"),
        ):
            port = free_port()
            proc = start_server(["--serve", "omnivox", "--db", db_url, "--port", str(port)], port)
            try:
                heads = [{"Cookie": f"omnivox_session={sid}"} for sid in sids[:n]]
                results.append(
                    await measure(label, port, proc.pid, heads, change_state, rounds + 1)
                )
            finally:
                proc.terminate()
                proc.wait()

        async def broadcast(http: httpx.AsyncClient, _r: int) -> None:
            (await http.post("/broadcast")).raise_for_status()

        port = free_port()
        proc = start_server(["--serve", "bare", "--port", str(port)], port)
        try:
            heads = [{} for _ in range(clients)]
            results.append(
                await measure(
                    f"bare Starlette, {clients} clients",
                    port,
                    proc.pid,
                    heads,
                    broadcast,
                    rounds + 1,
                )
            )
        finally:
            proc.terminate()
            proc.wait()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--serve", choices=["omnivox", "bare"])
    parser.add_argument("--db")
    parser.add_argument("--port", type=int)
    args = parser.parse_args()
    if args.serve == "omnivox":
        serve_omnivox(args.db, args.port)
        return
    if args.serve == "bare":
        serve_bare(args.port)
        return
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs; target: p99 < 200 ms")
    for result in asyncio.run(run(args.clients, args.rounds)):
        print(result.line())


if __name__ == "__main__":
    main()
