"""The ACD router: an incremental in-memory index of waiting calls and ready agents.

The call service feeds it events (queue configured, call enqueued / abandoned, agent
ready / unready, offer accepted / declined) and asks ``next_assignments(now)`` for offers.
It does no I/O and reads no clock. Guarantees (property-tested against the naive router
in ``naive.py``, which is the executable specification):

* an offer reserves both sides: a call is in at most one outstanding offer and an agent
  in at most one, until ``accept`` / ``decline`` / ``remove_call`` / ``agent_unready``;
* calls are taken in call-key order (``strategies.call_key``): higher priority first,
  FIFO within a priority, optional aging; a call whose skills no ready agent has does not
  block the calls behind it;
* each call goes to the best eligible agent by its queue's strategy; an agent who declined
  (or missed) a call is not offered that same call again until they next become ready.

One router instance must own a tenant's queues at a time (the service holds a lock per
organisation across app nodes); the database reservation stays the final guard.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

from omnivox.routing._index import QueueIndex
from omnivox.routing.estimator import WaitEstimator
from omnivox.routing.strategies import (
    NEVER,
    AgentRecord,
    CallKey,
    Signature,
    call_key,
    signature,
)
from omnivox.routing.types import (
    AgentCandidate,
    Offer,
    OverflowDue,
    QueueConfig,
    RoutingError,
    WaitingCall,
)

__all__ = ["Router"]


@dataclass(slots=True)
class _Call:
    call: WaitingCall
    key: CallKey
    sig: Signature
    enqueued_ts: float
    position_at_entry: int
    offered_to: str | None = None
    declined: dict[str, int] = field(default_factory=dict)


class Router:
    """See the module docstring. ``aging_seconds_per_priority`` ``None`` = strict priority."""

    def __init__(
        self, aging_seconds_per_priority: float | None = None, estimator_alpha: float = 0.2
    ) -> None:
        if aging_seconds_per_priority is not None and aging_seconds_per_priority <= 0:
            raise RoutingError("aging must be positive seconds per priority level")
        self._aging = aging_seconds_per_priority
        self._alpha = estimator_alpha
        self._queues: dict[str, QueueIndex] = {}
        self._calls: dict[str, _Call] = {}
        self._agents: dict[str, AgentRecord] = {}
        self._deadlines: list[tuple[float, int, str]] = []  # (overflow at, seq, call id)
        self._seq = 0

    # -- queues -------------------------------------------------------------------------

    def upsert_queue(self, config: QueueConfig) -> None:
        """Add a queue or change its settings. Waiting calls keep their place; a new
        strategy re-ranks the ready agents; a new max wait re-times the overflow."""
        index = self._queues.get(config.id)
        if index is None:
            index = self._queues[config.id] = QueueIndex(config, WaitEstimator(self._alpha))
            for agent in self._agents.values():
                if agent.ready and config.id in agent.candidate.queues:
                    agent.queues[config.id] = agent.candidate.queues[config.id]
                    index.add_ready(agent)
            return
        old, index.config = index.config, config
        if old.strategy is not config.strategy:
            index.rebuild_agents()
        if old.max_wait_seconds != config.max_wait_seconds:
            for c in self._calls.values():
                if c.call.queue_id == config.id:
                    self._push_deadline(c)

    def remove_queue(self, queue_id: str) -> list[WaitingCall]:
        """Forget a queue; returns its waiting calls for the service to re-home."""
        if any(c.call.queue_id == queue_id and c.offered_to for c in self._calls.values()):
            raise RoutingError(f"queue {queue_id!r} has calls being offered")
        self._queues.pop(queue_id, None)
        dropped = [c.call for c in self._calls.values() if c.call.queue_id == queue_id]
        for call in dropped:
            del self._calls[call.id]
        for agent in self._agents.values():
            agent.queues.pop(queue_id, None)
        return dropped

    def queue(self, queue_id: str) -> QueueConfig:
        return self._index(queue_id).config

    # -- calls --------------------------------------------------------------------------

    def enqueue(self, call: WaitingCall) -> int:
        """Add a waiting call; returns its 1-based position in its queue."""
        index = self._index(call.queue_id)
        if call.id in self._calls:
            raise RoutingError(f"call {call.id!r} is already queued")
        self._seq += 1
        priority = index.config.priority if call.priority is None else call.priority
        ts = call.enqueued_at.timestamp()
        key = call_key(priority, ts, self._seq, call.id, self._aging)
        sig = signature(call)
        position = index.add_call(key, sig)
        record = _Call(call, key, sig, ts, position)
        self._calls[call.id] = record
        self._push_deadline(record)
        return position

    def remove_call(self, call_id: str) -> str | None:
        """The caller hung up, or the service moved the call elsewhere. If the call was
        being offered, the offer is withdrawn and its agent is ready again (returned)."""
        record = self._calls.pop(call_id, None)
        if record is None:
            return None
        agent_id = record.offered_to
        if agent_id is None:
            self._queues[record.call.queue_id].remove_call(record.key, record.sig)
            return None
        agent = self._agents[agent_id]
        agent.offer_call = None
        self._make_ready(agent)
        return agent_id

    def position(self, call_id: str) -> int | None:
        """1-based place in the queue, ``None`` when unknown or being offered."""
        record = self._calls.get(call_id)
        if record is None or record.offered_to is not None:
            return None
        return self._queues[record.call.queue_id].position(record.key)

    def estimated_wait(self, call_id: str) -> float | None:
        """Seconds to wait from the queue's recent real waits (``None`` without data)."""
        place = self.position(call_id)
        record = self._calls.get(call_id)
        if place is None or record is None:
            return None
        return self._queues[record.call.queue_id].estimator.estimate(place)

    def estimator(self, queue_id: str) -> WaitEstimator:
        """The queue's estimator, e.g. to seed it from stored waits after a restart."""
        return self._index(queue_id).estimator

    def waiting(self, queue_id: str) -> int:
        return len(self._index(queue_id).calls)

    def ready_agents(self, queue_id: str) -> int:
        return len(self._index(queue_id).ready)

    @property
    def offers(self) -> Mapping[str, str]:
        """Outstanding offers: call id -> agent id."""
        return MappingProxyType(
            {cid: c.offered_to for cid, c in self._calls.items() if c.offered_to is not None}
        )

    # -- agents -------------------------------------------------------------------------

    def agent_ready(self, candidate: AgentCandidate) -> None:
        """The agent can take a call (or their details changed while ready)."""
        agent = self._agents.get(candidate.id)
        if agent is not None and agent.offer_call is not None:
            raise RoutingError(f"agent {candidate.id!r} has an outstanding offer")
        seen = candidate.last_offered_at
        seed_ts = NEVER if seen is None else seen.timestamp()
        if agent is None:
            agent = AgentRecord(candidate, candidate.idle_since.timestamp(), seed_ts)
            self._agents[candidate.id] = agent
        else:
            self._leave_pool(agent)
            agent.candidate = candidate
            agent.idle_ts = candidate.idle_since.timestamp()
            agent.last_offered_ts = max(agent.last_offered_ts, seed_ts)
        self._make_ready(agent)

    def agent_unready(self, agent_id: str) -> str | None:
        """The agent left (break, logout, call elsewhere). An offer they held is withdrawn
        without counting as a decline; the call's id is returned, back in its place."""
        agent = self._agents.get(agent_id)
        if agent is None:
            return None
        self._leave_pool(agent)
        call_id, agent.offer_call = agent.offer_call, None
        if call_id is not None:
            self._requeue(self._calls[call_id])
        return call_id

    # -- offers -------------------------------------------------------------------------

    def next_assignments(self, now: datetime, limit: int | None = None) -> list[Offer]:
        """Match waiting calls to ready agents, best call first, and reserve both."""
        offers: list[Offer] = []
        ts = now.timestamp()
        while limit is None or len(offers) < limit:
            match = self._best_match()
            if match is None:
                break
            record, agent_id = match
            offers.append(self._offer(record, self._agents[agent_id], now, ts))
        return offers

    def accept(self, call_id: str, now: datetime) -> str:
        """The agent took the call: it leaves the queue, the agent stays busy until the
        service reports them ready again. Feeds the queue's wait estimator."""
        record = self._offered(call_id)
        del self._calls[call_id]
        agent_id = record.offered_to
        assert agent_id is not None
        self._agents[agent_id].offer_call = None
        waited = now.timestamp() - record.enqueued_ts
        index = self._queues.get(record.call.queue_id)
        if index is not None:
            index.estimator.record(waited, record.position_at_entry)
        return agent_id

    def decline(self, call_id: str, agent_stays_ready: bool = False) -> str:
        """The offer was refused or timed out: the call goes back to its place and the
        agent is not offered it again this epoch. By default the agent also leaves the
        ready pool (the agent machine puts a missed offer on break)."""
        record = self._offered(call_id)
        agent_id = record.offered_to
        assert agent_id is not None
        agent = self._agents[agent_id]
        agent.offer_call = None
        if agent_stays_ready:
            self._make_ready(agent)
        record.declined[agent_id] = agent.epoch
        self._requeue(record)
        return agent_id

    def overflow_due(self, now: datetime) -> list[OverflowDue]:
        """Waiting calls past their queue's max wait, oldest first. They are *taken out*
        of the router: the service moves each to its target. Calls being offered are left
        alone (and reported later if the offer fails); callbacks never overflow."""
        ts = now.timestamp()
        due: list[OverflowDue] = []
        later: list[tuple[float, int, str]] = []
        while self._deadlines and self._deadlines[0][0] <= ts:
            entry = heapq.heappop(self._deadlines)
            record = self._calls.get(entry[2])
            if record is None or entry[1] != record.key[2] or entry[0] != self._deadline(record):
                continue  # gone, or re-timed by a queue change
            if record.offered_to is not None:
                later.append(entry)
                continue
            config = self._queues[record.call.queue_id].config
            self.remove_call(record.call.id)
            due.append(OverflowDue(record.call, config.overflow, ts - record.enqueued_ts))
        for entry in later:
            heapq.heappush(self._deadlines, entry)
        return due

    # -- internals ----------------------------------------------------------------------

    def _index(self, queue_id: str) -> QueueIndex:
        index = self._queues.get(queue_id)
        if index is None:
            raise RoutingError(f"unknown queue {queue_id!r}")
        return index

    def _offered(self, call_id: str) -> _Call:
        record = self._calls.get(call_id)
        if record is None or record.offered_to is None:
            raise RoutingError(f"call {call_id!r} has no outstanding offer")
        return record

    def _deadline(self, record: _Call) -> float | None:
        index = self._queues.get(record.call.queue_id)
        if index is None or record.call.is_callback or index.config.max_wait_seconds is None:
            return None
        return record.enqueued_ts + index.config.max_wait_seconds

    def _push_deadline(self, record: _Call) -> None:
        deadline = self._deadline(record)
        if deadline is not None:
            heapq.heappush(self._deadlines, (deadline, record.key[2], record.call.id))

    def _make_ready(self, agent: AgentRecord) -> None:
        agent.ready = True
        agent.epoch += 1
        agent.queues = {q: p for q, p in agent.candidate.queues.items() if q in self._queues}
        for queue_id in agent.queues:
            self._queues[queue_id].add_ready(agent)

    def _leave_pool(self, agent: AgentRecord) -> None:
        if agent.ready:
            agent.ready = False
            agent.epoch += 1  # every index entry and decline mark of this epoch is stale
            for queue_id in agent.queues:
                index = self._queues.get(queue_id)
                if index is not None:
                    index.ready.pop(agent.candidate.id, None)

    def _requeue(self, record: _Call) -> None:
        record.offered_to = None
        index = self._queues.get(record.call.queue_id)
        if index is None:  # the queue was removed meanwhile: nowhere to wait
            del self._calls[record.call.id]
            return
        index.add_call(record.key, record.sig)

    def _best_match(self) -> tuple[_Call, str] | None:
        best: tuple[CallKey, _Call, str] | None = None
        calls, agents = self._calls, self._agents
        for index in self._queues.values():
            if not index.ready or not index.calls:
                continue
            for group in index.groups.values():
                if not group.calls or (best is not None and group.calls[0] >= best[0]):
                    continue  # nothing, or nothing better than what we already have
                for key in group.calls:
                    if best is not None and key >= best[0]:
                        break
                    record = calls[key[3]]
                    if record.declined:
                        agent_id = group.best_agent_except(agents, record.declined)
                    else:
                        agent_id = group.top_agent(agents)
                    if agent_id is not None:
                        if best is None or key < best[0]:
                            best = (key, record, agent_id)
                        break
                    if not record.declined:
                        break  # no agent at all: later calls of the group have none either
        return None if best is None else (best[1], best[2])

    def _offer(self, record: _Call, agent: AgentRecord, now: datetime, ts: float) -> Offer:
        self._queues[record.call.queue_id].remove_call(record.key, record.sig)
        record.offered_to = agent.candidate.id
        self._leave_pool(agent)
        agent.offer_call = record.call.id
        self._seq += 1
        agent.last_offered_ts = ts
        agent.offer_seq = self._seq
        return Offer(record.call, agent.candidate.id, now)
