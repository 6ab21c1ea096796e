"""Drives whole calls: Omnivox (HTTP API + signed webhooks) against its sandbox carrier.

The production Twilio provider code places and controls the calls; the sandbox carrier runs
the simulated far end on the test's ManualClock. Agents' browser legs are sandbox softphone
sessions that answer what they are offered, as a browser would; like the desktop, each
agent's browser asks for its line once available and answers it by itself
(``telephony/lines.py``), so calls reach them with no click.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from tests.support import Env

from omnivox.accounts.models import Organization
from omnivox.core.security.permissions import Role
from omnivox.telephony.lines import LINE_PARAM
from omnivox.telephony.models import Call, CallEventRow
from omnivox.telephony.runtime import TelephonyRuntime
from omnivox.telephony.sandbox.carrier import SandboxCarrier
from omnivox.telephony.sandbox.model import SandboxCall, SandboxConference
from omnivox.telephony.sandbox.parties import PartyScript
from omnivox.telephony.sandbox.softphones import SoftphoneSession
from omnivox.telephony.service import agent_identity, monitor_identity

CALLER_ID = "+14155550100"
CUSTOMER = "+14155550142"


@dataclass
class Agent:
    user_id: str
    headers: dict[str, str]
    phone: SoftphoneSession
    answer: bool | str = True  # True: answer offers; False: let them ring; "reject"
    offers: list[dict[str, Any]] = field(default_factory=list)
    lines: list[dict[str, Any]] = field(default_factory=list)  # line calls, auto-answered
    monitor: SoftphoneSession | None = None  # the live floor page's softphone, if open
    monitored: list[dict[str, Any]] = field(default_factory=list)  # legs it answered


@dataclass
class Floor:
    env: Env
    runtime: TelephonyRuntime
    agents: dict[str, Agent] = field(default_factory=dict)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    @property
    def carrier(self) -> SandboxCarrier:
        assert self.runtime.carrier is not None
        return self.runtime.carrier

    async def settle(self) -> None:
        for _ in range(6):
            await self.carrier.settle()
            await self.runtime.tasks.drain()
            await self._background_work()
            await asyncio.sleep(0)

    async def _background_work(self) -> None:
        """Wait for work the clock woke that the carrier does not see: the periodic sweep
        (wrap-up expiry, overflow, recovery) and the dialler's safe-harbour timers."""
        async with asyncio.timeout(30):  # a hang here is a bug: fail, do not stall CI
            await self.runtime.quiesce()
            dialer = getattr(self.env.app.state, "dialer", None)
            if dialer is not None and dialer.answering is not None:
                await dialer.answering.quiesce()

    async def advance(self, seconds: float) -> None:
        step = 0.5
        done = 0.0
        while done < seconds:
            await self.carrier.advance(min(step, seconds - done))
            await self.settle()
            done += step

    async def agent(
        self, org: str, name: str, role: Role = Role.AGENT, *, line: bool = True
    ) -> Agent:
        """A signed-in agent, available; ``line``: their browser connects its line (as
        the desktop does), else they have a softphone but no line (rung for offers)."""
        email = f"{name}@acme.example.com"
        user_id = await self.env.user(org, email, role)
        headers = await self.env.token(email)
        phone = self.carrier.softphones.register(
            agent_identity(user_id), self.env.settings.sandbox.account_sid
        )
        agent = Agent(user_id, headers, phone)
        ready = await self.env.client.put(
            "/api/v1/agents/me/state", headers=headers, json={"state": "available"}
        )
        assert ready.status_code == 200, ready.text
        self._tasks.append(asyncio.create_task(self._browser(agent)))
        self.agents[name] = agent
        if line:
            await self.connect_line(agent)
        return agent

    async def connect_line(self, agent: Agent, holding: str | None = None) -> Any:
        """The desktop asks for its line; the browser answers it when it rings."""
        resp = await self.env.client.post(
            "/api/v1/agents/me/line", headers=agent.headers, json={"holding": holding}
        )
        assert resp.status_code == 200, resp.text
        # The carrier's call set-up (0.2 s), then the browser answers at once.
        await self.carrier.advance(self.carrier.timing.dial_setup_seconds)
        await self.settle()
        return await self.line(agent)

    async def line(self, agent: Agent) -> dict[str, Any]:
        resp = await self.env.client.get("/api/v1/agents/me/line", headers=agent.headers)
        assert resp.status_code == 200, resp.text
        line: dict[str, Any] = resp.json()
        return line

    def reload(self, agent: Agent) -> None:
        """The agent's browser reloads (or loses the network): its softphone session ends,
        and the calls it had answered (the line) end with it; a new session registers."""
        self.carrier.softphones.unregister(agent.phone)
        agent.phone = self.carrier.softphones.register(
            agent_identity(agent.user_id), self.env.settings.sandbox.account_sid
        )
        self._tasks.append(asyncio.create_task(self._browser(agent)))

    def open_monitor(self, supervisor: Agent) -> None:
        """The supervisor opens the live floor page: its softphone answers whatever rings
        it (only supervision legs do)."""
        phone = self.carrier.softphones.register(
            monitor_identity(supervisor.user_id), self.env.settings.sandbox.account_sid
        )
        supervisor.monitor = phone

        async def page() -> None:
            while supervisor.monitor is phone:
                msg = await phone.outbox.get()
                if msg.get("type") == "incoming":
                    supervisor.monitored.append(msg)
                    self.carrier.softphones.handle(
                        phone, {"type": "answer", "call_sid": msg["call_sid"]}
                    )

        self._tasks.append(asyncio.create_task(page()))

    def close_monitor(self, supervisor: Agent) -> None:
        """The live floor page is closed: the legs its softphone answered end."""
        assert supervisor.monitor is not None
        self.carrier.softphones.unregister(supervisor.monitor)
        supervisor.monitor = None

    async def _browser(self, agent: Agent) -> None:
        """What the agent's browser does: answer its line, and offers (or not)."""
        phone = agent.phone
        while agent.phone is phone:
            msg = await phone.outbox.get()
            if msg.get("type") == "incoming" and LINE_PARAM in (msg.get("params") or {}):
                agent.lines.append(msg)  # the desktop answers its line by itself
                self.carrier.softphones.handle(
                    phone, {"type": "answer", "call_sid": msg["call_sid"]}
                )
            elif msg.get("type") == "incoming":
                agent.offers.append(msg)
                if agent.answer:
                    kind = "reject" if agent.answer == "reject" else "answer"
                    self.carrier.softphones.handle(
                        phone, {"type": kind, "call_sid": msg["call_sid"]}
                    )

    async def call(
        self, agent: Agent, script: PartyScript | None = None, to: str = CUSTOMER
    ) -> str:
        if script is not None:
            self.carrier.script_number(to, script)
        resp = await self.env.client.post("/api/v1/calls", headers=agent.headers, json={"to": to})
        assert resp.status_code == 201, resp.text
        await self.settle()
        return str(resp.json()["id"])

    async def row(self, call_id: str) -> Call:
        async with self.env.sessions() as s:
            call = await s.get(Call, call_id)
            assert call is not None
            return call

    async def history(self, call_id: str) -> list[CallEventRow]:
        async with self.env.sessions() as s:
            query = select(CallEventRow).where(CallEventRow.call_id == call_id)
            return list((await s.scalars(query.order_by(CallEventRow.id))).all())

    async def conference(self, call_id: str) -> SandboxConference:
        """The call's own conference on the carrier (agents' line conferences aside)."""
        name = (await self.row(call_id)).conference_name
        return next(c for c in self.carrier.conferences.values() if c.friendly_name == name)

    def customer_calls(self) -> dict[str, SandboxCall]:
        """Calls the carrier placed, the agents' lines aside."""
        return {sid: c for sid, c in self.carrier.calls.items() if c.softphone_identity is None}

    def customer_leg(self, call: Call) -> SandboxCall:
        assert call.provider_sid
        return self.carrier.find_call(call.provider_sid)

    async def agent_state(self, agent: Agent) -> str:
        resp = await self.env.client.get("/api/v1/agents/me/state", headers=agent.headers)
        return str(resp.json()["state"])

    async def post(self, agent: Agent, path: str, body: dict[str, Any] | None = None) -> Any:
        return await self.env.client.post(path, headers=agent.headers, json=body)


@contextlib.asynccontextmanager
async def floor(env: Env) -> AsyncIterator[tuple[Floor, str]]:
    org = await env.org("acme")
    async with env.sessions() as s:
        row = await s.get(Organization, org)
        assert row is not None
        row.default_caller_ids = [CALLER_ID]
        await s.commit()
    runtime: TelephonyRuntime = env.app.state.telephony  # type: ignore[attr-defined]
    f = Floor(env, runtime)
    try:
        yield f, org
    finally:
        for task in f._tasks:
            task.cancel()
        await runtime.stop()
