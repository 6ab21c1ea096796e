"""The naive router: the same decisions as ``Router`` by brute force, with no index.

It is the executable specification the indexed router is property-tested against, and the
baseline ``benchmarks/routing_decision.py`` times in the same run. A decision sorts the
waiting calls by key (``C log C``) and, for each call in turn, scans every agent for the
best eligible one until a call has one (``C x A`` in the worst case). Kept deliberately
simple: readability is its whole value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from omnivox.routing.strategies import (
    NEVER,
    AgentKey,
    AgentRecord,
    CallKey,
    agent_key,
    call_key,
    eligible,
    signature,
)
from omnivox.routing.types import AgentCandidate, Offer, QueueConfig, WaitingCall

__all__ = ["NaiveRouter"]


@dataclass(slots=True)
class _Call:
    call: WaitingCall
    key: CallKey
    offered_to: str | None = None
    declined: dict[str, int] = field(default_factory=dict)


class NaiveRouter:
    def __init__(self, aging_seconds_per_priority: float | None = None) -> None:
        self._aging = aging_seconds_per_priority
        self.queues: dict[str, QueueConfig] = {}
        self.calls: dict[str, _Call] = {}
        self.agents: dict[str, AgentRecord] = {}
        self._seq = 0

    def upsert_queue(self, config: QueueConfig) -> None:
        self.queues[config.id] = config
        for agent in self.agents.values():
            if agent.ready and config.id in agent.candidate.queues:
                agent.queues[config.id] = agent.candidate.queues[config.id]

    def enqueue(self, call: WaitingCall) -> None:
        self._seq += 1
        config = self.queues[call.queue_id]
        priority = config.priority if call.priority is None else call.priority
        ts = call.enqueued_at.timestamp()
        self.calls[call.id] = _Call(call, call_key(priority, ts, self._seq, call.id, self._aging))

    def remove_call(self, call_id: str) -> str | None:
        record = self.calls.pop(call_id, None)
        if record is None or record.offered_to is None:
            return None
        agent = self.agents[record.offered_to]
        agent.offer_call = None
        self._ready(agent)
        return record.offered_to

    def agent_ready(self, candidate: AgentCandidate) -> None:
        agent = self.agents.get(candidate.id)
        seen = candidate.last_offered_at
        seed = NEVER if seen is None else seen.timestamp()
        if agent is None:
            agent = self.agents[candidate.id] = AgentRecord(
                candidate, candidate.idle_since.timestamp(), seed
            )
        else:
            self._unready(agent)
            agent.candidate = candidate
            agent.idle_ts = candidate.idle_since.timestamp()
            agent.last_offered_ts = max(agent.last_offered_ts, seed)
        self._ready(agent)

    def agent_unready(self, agent_id: str) -> str | None:
        agent = self.agents.get(agent_id)
        if agent is None:
            return None
        self._unready(agent)
        call_id, agent.offer_call = agent.offer_call, None
        if call_id is not None:
            self.calls[call_id].offered_to = None
        return call_id

    def next_assignments(self, now: datetime, limit: int | None = None) -> list[Offer]:
        offers: list[Offer] = []
        while limit is None or len(offers) < limit:
            match = self._best_match()
            if match is None:
                break
            record, agent = match
            record.offered_to = agent.candidate.id
            agent.offer_call = record.call.id
            self._unready(agent)
            self._seq += 1
            agent.last_offered_ts, agent.offer_seq = now.timestamp(), self._seq
            offers.append(Offer(record.call, agent.candidate.id, now))
        return offers

    def accept(self, call_id: str, now: datetime) -> str:
        record = self.calls.pop(call_id)
        assert record.offered_to is not None
        self.agents[record.offered_to].offer_call = None
        return record.offered_to

    def decline(self, call_id: str, agent_stays_ready: bool = False) -> str:
        record = self.calls[call_id]
        assert record.offered_to is not None
        agent = self.agents[record.offered_to]
        agent.offer_call = None
        if agent_stays_ready:
            self._ready(agent)
        record.declined[agent.candidate.id] = agent.epoch
        record.offered_to = None
        return agent.candidate.id

    def _best_match(self) -> tuple[_Call, AgentRecord] | None:
        waiting = sorted(
            (c for c in self.calls.values() if c.offered_to is None), key=lambda c: c.key
        )
        for record in waiting:
            agent = self._best_agent(record)
            if agent is not None:
                return record, agent
        return None

    def _best_agent(self, record: _Call) -> AgentRecord | None:
        config = self.queues[record.call.queue_id]
        sig = signature(record.call)
        best: tuple[AgentKey, AgentRecord] | None = None
        for agent in self.agents.values():
            if not agent.ready or config.id not in agent.queues:
                continue
            if not eligible(agent.candidate.skills, sig):
                continue
            if record.declined.get(agent.candidate.id) == agent.epoch:
                continue
            key = agent_key(config.strategy, agent, config.id, sig)
            if best is None or key < best[0]:
                best = (key, agent)
        return None if best is None else best[1]

    def _ready(self, agent: AgentRecord) -> None:
        agent.ready = True
        agent.epoch += 1
        agent.queues = {q: p for q, p in agent.candidate.queues.items() if q in self.queues}

    def _unready(self, agent: AgentRecord) -> None:
        if agent.ready:
            agent.ready = False
            agent.epoch += 1
