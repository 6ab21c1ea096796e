"""Benchmark: the status-callback path (signature check + state transition + persistence)
against a bare endpoint that only checks the signature, in the same run, on SQLite and
PostgreSQL.

    python benchmarks/status_callbacks.py [--seconds 10] [--concurrency 32] [--rate 300]

Each server runs as its own uvicorn process on a loopback port; the load comes from this
process. Every request is a correctly signed Twilio status callback; each call receives
initiated, ringing, in-progress and completed (sequence numbers 0-3), so the full path does
real state-machine transitions and writes the call row and its history.
Targets (issue 3): full path >= 1/3 of the bare endpoint's throughput, and p99 < 100 ms at
300 requests/s on PostgreSQL.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


STATUSES = ("initiated", "ringing", "in-progress", "completed")
PG_ADMIN = os.environ.get("OMNIVOX_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


@dataclass
class Result:
    label: str
    requests: int
    seconds: float
    latencies: list[float]
    errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def pct(self, q: float) -> float:
        data = sorted(self.latencies)
        return data[min(len(data) - 1, int(q * len(data)))] * 1000 if data else float("nan")

    def row(self) -> str:
        return (
            f"{self.label:<34} {self.rps:>9.0f} {self.pct(0.50):>9.1f} {self.pct(0.99):>9.1f}"
            f" {self.errors:>7}"
        )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(target: str, env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    cmd = [
        sys.executable,
        "-m",
        "uvicorn",
        target,
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    if target.endswith("app_factory"):
        cmd.append("--factory")
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.post(f"http://127.0.0.1:{port}/hooks/telephony/twilio/status", timeout=1)
            return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"server {target} did not start")


async def seed_calls(database_url: str, count: int) -> list[tuple[str, str]]:
    """Calls already placed (state dialing), as the dialler leaves them."""
    from omnivox.accounts import organizations
    from omnivox.accounts.schemas import OrganizationCreate
    from omnivox.core.db import create_engine, create_session_factory
    from omnivox.core.security.principal import Principal
    from omnivox.telephony.models import Call

    engine = create_engine(database_url)
    out: list[tuple[str, str]] = []
    async with create_session_factory(engine)() as s:
        org = await organizations.create_organization(
            s,
            Principal.system(""),
            OrganizationCreate(slug=f"bench-{uuid.uuid4().hex[:6]}", name="Bench"),
        )
        for _ in range(count):
            cid, sid = uuid.uuid4().hex, "CA" + uuid.uuid4().hex
            s.add(
                Call(
                    id=cid,
                    organization_id=org.id,
                    direction="outbound",
                    owner_kind="campaign",
                    owner_id="bench",
                    state="dialing",
                    provider="twilio",
                    provider_sid=sid,
                    from_number="+14155550100",
                    to_number="+14155550101",
                    conference_name=f"ovx-{cid}",
                )
            )
            out.append((cid, sid))
        await s.commit()
    await engine.dispose()
    return out


def signed_requests(
    calls: list[tuple[str, str]], public: str, token: str
) -> list[tuple[str, dict[str, str], str]]:
    validator = RequestValidator(token)
    reqs = []
    for seq, status in enumerate(STATUSES):  # every call moves one step per round
        for cid, sid in calls:
            path = f"/hooks/telephony/twilio/status?call={cid}"
            params = {
                "CallSid": sid,
                "AccountSid": "AC" + "5" * 32,
                "CallStatus": status,
                "SequenceNumber": str(seq),
                "Direction": "outbound-api",
                "From": "+14155550100",
                "To": "+14155550101",
                "Timestamp": time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime()),
            }
            reqs.append((path, params, validator.compute_signature(public + path, params)))
    return reqs


async def drive(
    port: int,
    reqs: list[tuple[str, dict[str, str], str]],
    label: str,
    *,
    concurrency: int,
    rate: float | None,
    seconds: float,
) -> Result:
    """Closed loop (rate None: as fast as the server answers) or open loop at ``rate``."""
    latencies: list[float] = []
    errors = 0
    sent = 0
    limit = min(len(reqs), int(rate * seconds) if rate else len(reqs))
    start = time.perf_counter()
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}", limits=httpx.Limits(max_connections=concurrency)
    ) as client:

        async def one(i: int) -> None:
            nonlocal errors
            path, params, sig = reqs[i]
            t0 = time.perf_counter()
            try:
                resp = await client.post(path, data=params, headers={"X-Twilio-Signature": sig})
            except httpx.TransportError:
                # An overloaded server (or machine) is a result to report, not a crash.
                latencies.append(time.perf_counter() - t0)
                errors += 1
                return
            latencies.append(time.perf_counter() - t0)
            if resp.status_code != 204:
                errors += 1

        if rate is None:
            queue = iter(range(limit))

            async def worker() -> None:
                nonlocal sent
                for i in queue:
                    if time.perf_counter() - start > seconds:
                        return
                    await one(i)
                    sent += 1

            await asyncio.gather(*(worker() for _ in range(concurrency)))
        else:
            tasks = []
            for i in range(limit):
                delay = start + i / rate - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                tasks.append(asyncio.create_task(one(i)))
            await asyncio.gather(*tasks)
            sent = limit
    return Result(label, sent, time.perf_counter() - start, latencies, errors)


def backends() -> list[tuple[str, str, str | None]]:
    tmp = tempfile.mkdtemp(prefix="ovx-bench-")
    out: list[tuple[str, str, str | None]] = [
        ("SQLite", f"sqlite+aiosqlite:///{tmp}/bench.db", None)
    ]
    name = f"omnivox_bench_{uuid.uuid4().hex[:8]}"
    try:
        import asyncpg

        async def create() -> None:
            conn = await asyncpg.connect(PG_ADMIN, timeout=5)
            await conn.execute(f'CREATE DATABASE "{name}"')
            await conn.close()

        asyncio.run(create())
        base = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
        out.append(("PostgreSQL", f"{base}/{name}", name))
    except Exception as exc:  # noqa: BLE001 - no PostgreSQL here: say so and go on
        print(f"PostgreSQL skipped: {exc}")
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--rate", type=float, default=300)
    args = ap.parse_args()
    from omnivox.core.db import upgrade_database

    token = secrets.token_urlsafe(32)  # the servers' sandbox auth token (random unless set)
    print(f"{'run':<34} {'req/s':>9} {'p50 ms':>9} {'p99 ms':>9} {'errors':>7}")
    for name, url, pg_name in backends():
        upgrade_database(url)
        port_full, port_bare = free_port(), free_port()
        public = f"http://127.0.0.1:{port_full}"
        env = {
            **os.environ,
            "OMNIVOX_DATABASE_URL": url,
            "OMNIVOX_PUBLIC_BASE_URL": public,
            "OMNIVOX_LOG_LEVEL": "WARNING",
            "OMNIVOX_SANDBOX__AUTH_TOKEN": token,
            "PYTHONPATH": str(ROOT / "src"),
            "BENCH_AUTH_TOKEN": token,
            "BENCH_PUBLIC": public,
        }
        full = start_server("omnivox.bench_app:app_factory", env, port_full)
        bare = start_server(
            "benchmarks._bare_webhook:app",
            {**env, "PYTHONPATH": f"{ROOT}:{ROOT / 'src'}"},
            port_bare,
        )
        try:
            # Seeded after start-up, so start-up reconciliation does not close them first.
            calls_needed = int(max(args.rate, 2000) * args.seconds * 2 / len(STATUSES)) + 1
            calls = asyncio.run(seed_calls(url, calls_needed))
            reqs = signed_requests(calls, public, token)
            half = len(reqs) // 2
            results = [
                asyncio.run(
                    drive(
                        port_bare,
                        reqs,
                        f"{name}: bare signature check",
                        concurrency=args.concurrency,
                        rate=None,
                        seconds=args.seconds,
                    )
                ),
                asyncio.run(
                    drive(
                        port_full,
                        reqs[:half],
                        f"{name}: full path, max",
                        concurrency=args.concurrency,
                        rate=None,
                        seconds=args.seconds,
                    )
                ),
                asyncio.run(
                    drive(
                        port_full,
                        reqs[half:],
                        f"{name}: full path @ {args.rate:.0f}/s",
                        concurrency=256,
                        rate=args.rate,
                        seconds=args.seconds,
                    )
                ),
            ]
        finally:
            full.terminate()
            bare.terminate()
            full.wait()
            bare.wait()
        for r in results:
            print(r.row())
        ratio = results[1].rps / results[0].rps
        print(
            f"{name}: full/bare throughput = {ratio:.2f} (target >= 0.33); "
            f"p99 at {args.rate:.0f}/s = {results[2].pct(0.99):.1f} ms"
            + (" (target < 100 ms)" if pg_name else "")
        )
    print(f"({statistics.fmean([1.0]):.0f} client process, {args.concurrency} connections)")


if __name__ == "__main__":
    main()
