"""Benchmark: from a live answer to the agent bridged, on the sandbox carrier (issue 14).

    python benchmarks/answer_to_bridge.py [--calls 200] [--agents 4] [--baseline-calls 50]

One Omnivox app in this process (SQLite file, the real clock, the sandbox carrier reached
over ASGI exactly as ``omnivox serve`` reaches it), with simulated browsers: sandbox
softphone sessions that answer their line by themselves, as ``softphone.js`` does.

* **dialler over the line** (the figure): a progressive campaign served by ``--agents``
  agents whose lines are connected; customers answer after 0.3 s and talk for 1 s; agents
  disposition at once. Time from the customer's answer (the carrier's own log of the leg
  going in-progress) to the call's ``agent_connected`` transition (Omnivox's call history),
  both on the same clock.
* **click-to-call over the line**: an agent's own calls, the same measure.
* **baseline, same run: ring and click** — the path before the line: the agent has no line,
  their softphone is rung when the customer answers and a script accepts *instantly* (a
  person takes a second or more; the dialler allowed two).

Target: p99 under 500 ms for the dialler over the line. The run also reports the dialler's
abandons (none expected: every answer finds a ready agent).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from datetime import time as wall_time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from sqlalchemy import select  # noqa: E402

from omnivox.accounts import api_tokens, auth, organizations, users  # noqa: E402
from omnivox.accounts.models import Organization  # noqa: E402
from omnivox.accounts.schemas import ApiTokenCreate, OrganizationCreate, UserCreate  # noqa: E402
from omnivox.app import create_app  # noqa: E402
from omnivox.campaigns.models import Contact  # noqa: E402
from omnivox.core.config import Settings  # noqa: E402
from omnivox.core.db import upgrade_database  # noqa: E402
from omnivox.core.security.permissions import Role  # noqa: E402
from omnivox.core.security.principal import Principal  # noqa: E402
from omnivox.telephony.lines import LINE_PARAM  # noqa: E402
from omnivox.telephony.models import Call, CallEventRow, CallLeg  # noqa: E402
from omnivox.telephony.sandbox.carrier import SandboxCarrier  # noqa: E402
from omnivox.telephony.sandbox.parties import PartyScript  # noqa: E402
from omnivox.telephony.sandbox.softphones import SoftphoneSession  # noqa: E402
from omnivox.telephony.service import agent_identity  # noqa: E402

CALLER_ID = "+14155550100"
CUSTOMER = PartyScript(ring_seconds=0.3, hang_up_after=1.0)
PASSWORD = "bench-pass-123"


@dataclass
class Desk:
    """An agent and their simulated browser."""

    user_id: str
    headers: dict[str, str]
    phone: SoftphoneSession
    answers_offers: bool
    task: asyncio.Task[None] | None = None


@dataclass
class Series:
    label: str
    waits: list[float] = field(default_factory=list)  # seconds
    note: str = ""

    def pct(self, q: float) -> float:
        data = sorted(self.waits)
        if not data:
            return float("nan")
        return data[min(len(data) - 1, max(0, round(q * len(data)) - 1))] * 1000

    def row(self) -> str:
        mean = statistics.fmean(self.waits) * 1000 if self.waits else float("nan")
        return (
            f"{self.label:<44} {len(self.waits):>5} {self.pct(0.50):>8.1f} {self.pct(0.99):>8.1f}"
            f" {max(self.waits, default=float('nan')) * 1000:>8.1f} {mean:>8.1f}  {self.note}"
        )


class Bench:
    def __init__(self, app: Any, client: httpx.AsyncClient, carrier: SandboxCarrier) -> None:
        self.app, self.client, self.carrier = app, client, carrier
        self.sessions = app.state.omnivox.sessions
        self.account = app.state.omnivox.settings.sandbox.account_sid

    async def until(
        self, check: Callable[[], Any], seconds: float, what: str, every: float = 0.02
    ) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if await check():
                return
            await asyncio.sleep(every)
        raise TimeoutError(f"{what} ({getattr(self, 'last_state', '')})")

    # --- people ---------------------------------------------------------------------------

    async def org(self) -> str:
        async with self.sessions() as s:
            org = await organizations.create_organization(
                s,
                Principal.system(""),
                OrganizationCreate(slug="bench", name="Bench", timezone="UTC"),
            )
            row = await s.get(Organization, org.id)
            assert row is not None
            row.default_caller_ids = [CALLER_ID]
            # Any hour is a calling hour here: the figure is about bridging, not the law.
            row.calling_window_start, row.calling_window_end = wall_time(0, 0), wall_time(23, 59)
            await s.commit()
            return org.id

    async def person(self, org_id: str, name: str, role: Role) -> tuple[str, dict[str, str]]:
        async with self.sessions() as s:
            actor = Principal("", org_id, "system", "System", Role.PLATFORM_ADMIN, "system")
            user = await users.create_user(
                s,
                actor,
                UserCreate(
                    email=f"{name}@bench.example.com", name=name, role=role, password=PASSWORD
                ),
            )
            _t, secret = await api_tokens.create_api_token(
                s,
                auth.principal_of(user, "system"),
                ApiTokenCreate(name="bench"),
                datetime.now(UTC),
            )
            return user.id, {"Authorization": f"Bearer {secret}"}

    async def desk(self, org_id: str, name: str, *, line: bool) -> Desk:
        user_id, headers = await self.person(org_id, name, Role.AGENT)
        phone = self.carrier.softphones.register(agent_identity(user_id), self.account)
        desk = Desk(user_id, headers, phone, answers_offers=not line)
        desk.task = asyncio.create_task(self.browser(desk))
        resp = await self.client.put(
            "/api/v1/agents/me/state", headers=headers, json={"state": "available"}
        )
        assert resp.status_code == 200, resp.text
        if line:
            resp = await self.client.post("/api/v1/agents/me/line", headers=headers, json={})
            assert resp.status_code == 200, resp.text

            async def connected() -> bool:
                got = await self.client.get("/api/v1/agents/me/line", headers=headers)
                return bool(got.json()["status"] == "connected")

            await self.until(connected, 10, f"{name}'s line")
        return desk

    async def browser(self, desk: Desk) -> None:
        """The desktop: answers its line by itself; a line-less one clicks Accept at once."""
        while True:
            msg = await desk.phone.outbox.get()
            if msg.get("type") != "incoming":
                continue
            if LINE_PARAM in (msg.get("params") or {}) or desk.answers_offers:
                self.carrier.softphones.handle(
                    desk.phone, {"type": "answer", "call_sid": msg["call_sid"]}
                )

    # --- measuring ------------------------------------------------------------------------

    async def waits(self, call_ids: list[str]) -> tuple[list[float], int]:
        """Answer (carrier log) -> agent_connected (call history), per call; and abandons."""
        waits, abandoned = [], 0
        async with self.sessions() as s:
            for call_id in call_ids:
                call = await s.get(Call, call_id)
                assert call is not None
                if call.state == "abandoned":
                    abandoned += 1
                connected = await s.scalar(
                    select(CallEventRow.at).where(
                        CallEventRow.call_id == call_id,
                        CallEventRow.applied,
                        CallEventRow.trigger == "agent_connected",
                    )
                )
                if connected is None or not call.provider_sid:
                    continue
                leg = self.carrier.calls[call.provider_sid]
                answered = next(
                    e.at
                    for e in leg.log
                    if e.kind == "status" and e.detail["status"] == "in-progress"
                )
                waits.append((connected - answered).total_seconds())
        return waits, abandoned

    async def breakdown(self, call_ids: list[str]) -> dict[str, float]:
        """Median ms from the answer to each step, from the carrier's logs: the status
        callback answered, the voice webhook answered, the line's move requested, the line
        in the call's conference."""
        steps: dict[str, list[float]] = {}
        async with self.sessions() as s:
            for call_id in call_ids:
                call = await s.get(Call, call_id)
                leg_sid = await s.scalar(
                    select(CallLeg.target).where(
                        CallLeg.call_id == call_id, CallLeg.target.like("line:%")
                    )
                )
                if call is None or not call.provider_sid or leg_sid is None:
                    continue
                log = self.carrier.calls[call.provider_sid].log
                line = self.carrier.calls[leg_sid.removeprefix("line:")].log
                t0 = next(
                    e.at for e in log if e.kind == "status" and e.detail["status"] == "in-progress"
                )
                marks = {
                    "status callback answered": _after(log, t0, "webhook", "/status"),
                    "voice webhook answered": _after(log, t0, "webhook", "/voice"),
                    "line move requested": _after(line, t0, "redirected", ""),
                    "line in the call": _after(line, t0, "conference-join", call.conference_name),
                }
                for name, at in marks.items():
                    if at is not None:
                        steps.setdefault(name, []).append((at - t0).total_seconds() * 1000)
        return {name: statistics.median(v) for name, v in steps.items()}

    async def call_state(self, call_id: str) -> str:
        async with self.sessions() as s:
            call = await s.get(Call, call_id, populate_existing=True)
            return call.state if call is not None else ""

    async def agent_state(self, desk: Desk) -> str:
        got = await self.client.get("/api/v1/agents/me/state", headers=desk.headers)
        self.last_state = got.json()
        return str(got.json()["state"])

    # --- series ---------------------------------------------------------------------------

    async def own_calls(self, desk: Desk, count: int, first: int) -> list[str]:
        ids = []
        for i in range(count):
            number = f"+1415556{first + i:04d}"
            self.carrier.script_number(number, CUSTOMER)
            made = await self.client.post(
                "/api/v1/calls", headers=desk.headers, json={"to": number}
            )
            assert made.status_code == 201, made.text
            call_id = made.json()["id"]
            ids.append(call_id)

            async def ended(call_id: str = call_id) -> bool:
                return await self.call_state(call_id) in {"wrap_up", "completed", "abandoned"}

            await self.until(ended, 15, f"call {call_id}")
            done = await self.client.post(
                f"/api/v1/calls/{call_id}/disposition",
                headers=desk.headers,
                json={"code": "SALE", "amount": "100"},
            )
            assert done.status_code == 200, done.text

            async def free() -> bool:
                return await self.agent_state(desk) == "available"

            await self.until(free, 10, f"agent free after {call_id}")
        return ids

    async def dialler(self, org_id: str, desks: list[Desk], count: int) -> list[str]:
        _boss_id, boss = await self.person(org_id, "boss", Role.ORG_ADMIN)
        made = await self.client.post("/api/v1/lists", headers=boss, json={"name": "Bench"})
        list_id = made.json()["id"]
        campaign = await self.client.post(
            "/api/v1/campaigns",
            headers=boss,
            json={
                "name": "Bench",
                "dial_mode": "progressive",
                "window_start": "00:00",
                "window_end": "23:59",
                "agent_ids": [d.user_id for d in desks],
                "list_ids": [list_id],
                "max_attempts": 1,
            },
        )
        assert campaign.status_code == 201, campaign.text
        cid = campaign.json()["id"]
        async with self.sessions() as s:
            for i in range(count):
                number = f"+1415557{i:04d}"
                self.carrier.script_number(number, CUSTOMER)
                s.add(
                    Contact(
                        organization_id=org_id,
                        list_id=list_id,
                        phone=number,
                        timezone="UTC",
                        timezone_source="explicit",
                    )
                )
            await s.commit()
        started = await self.client.post(f"/api/v1/campaigns/{cid}/start", headers=boss)
        assert started.status_code == 200, started.text
        by_user = {d.user_id: d for d in desks}

        async def finished() -> bool:
            # Agents in wrap-up disposition at once, as a quick agent would.
            async with self.sessions() as s:
                rows = (
                    await s.execute(
                        select(Call.id, Call.agent_id, Call.state).where(
                            Call.owner_kind == "campaign", Call.owner_id == cid
                        )
                    )
                ).all()
            for call_id, agent_id, state in rows:
                if state == "wrap_up" and agent_id in by_user:
                    await self.client.post(
                        f"/api/v1/calls/{call_id}/disposition",
                        headers=by_user[agent_id].headers,
                        json={"code": "SALE", "amount": "100"},
                    )
            over = {"completed", "abandoned", "busy", "no_answer", "failed", "canceled"}
            return len(rows) >= count and all(state in over for _i, _a, state in rows)

        # Checked every 0.25 s: the agents' wrap-up takes about that, and the check's own
        # queries stay out of the way of the calls being measured.
        await self.until(finished, 60 + count * 2.0, "the campaign", every=0.25)
        async with self.sessions() as s:
            ids = await s.scalars(
                select(Call.id).where(Call.owner_kind == "campaign", Call.owner_id == cid)
            )
            return list(ids)


def _after(log: list[Any], t0: datetime, kind: str, marker: str) -> datetime | None:
    for entry in log:
        if entry.at >= t0 and entry.kind == kind and marker in str(entry.detail):
            return entry.at  # type: ignore[no-any-return]
    return None


async def run(calls: int, agents: int, baseline_calls: int) -> list[Series]:
    tmp = Path(tempfile.mkdtemp(prefix="omnivox-bridge-"))
    url = f"sqlite+aiosqlite:///{tmp}/bench.db"
    upgrade_database(url)
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, database_url=url, data_dir=tmp, env="test", log_level="WARNING"
    )
    app = create_app(settings)
    async with AsyncExitStack() as stack:
        await stack.enter_async_context(app.router.lifespan_context(app))
        client = await stack.enter_async_context(
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench")
        )
        carrier = app.state.telephony.carrier
        bench = Bench(app, client, carrier)
        org_id = await bench.org()
        lined = [await bench.desk(org_id, f"agent{i}", line=True) for i in range(agents)]
        ringer = await bench.desk(org_id, "ringer", line=False)

        results = []
        ids = await bench.dialler(org_id, lined, calls)
        waits, abandoned = await bench.waits(ids)
        steps = await bench.breakdown(ids)
        print("dialler, median ms after the answer:")
        for name, ms in steps.items():
            print(f"  {name:<28} {ms:8.1f}")
        results.append(
            Series("dialler, line bridged (progressive)", waits, f"abandoned: {abandoned}")
        )
        own = await bench.own_calls(lined[0], baseline_calls, 0)
        results.append(Series("click-to-call, line bridged", (await bench.waits(own))[0]))
        rung = await bench.own_calls(ringer, baseline_calls, 5000)
        results.append(
            Series("baseline: ring + instant scripted click", (await bench.waits(rung))[0])
        )
        for desk in [*lined, ringer]:
            if desk.task is not None:
                desk.task.cancel()
        return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=200, help="dialler calls")
    parser.add_argument("--agents", type=int, default=4)
    parser.add_argument("--baseline-calls", type=int, default=50)
    args = parser.parse_args()
    started = time.monotonic()
    results = asyncio.run(run(args.calls, args.agents, args.baseline_calls))
    print(
        f"\nanswer -> agent bridged, sandbox carrier, SQLite ({time.monotonic() - started:.0f} s)"
    )
    print(f"{'path':<44} {'calls':>5} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'mean ms':>8}")
    for series in results:
        print(series.row())
    p99 = results[0].pct(0.99)
    verdict = "met" if p99 < 500 else "NOT met"
    print(f"\ntarget p99 < 500 ms (dialler over the line): {verdict} ({p99:.1f} ms)")


if __name__ == "__main__":
    main()
