"""The router's per-queue index: skill groups with a sorted line of calls and a heap of
eligible ready agents.

Calls with the same required skills (their *signature*) have exactly the same eligible
agents, so a queue is split into groups by signature. Each group holds

* ``calls``: its waiting calls' keys in a sorted list (``bisect``): the head is the next
  call, removal on abandon is exact, and memmove of a few thousand pointers is cheaper
  than a heap with tombstones;
* ``agents``: a heap of ``(agent key, epoch)`` for the ready agents eligible for the
  group, ordered by the queue's strategy. Entries are never deleted in place: an entry
  whose epoch no longer matches the agent's is stale and is dropped when it reaches the
  top (lazy deletion), and the heap is rebuilt when stale entries outnumber live ones.

A decision looks only at each group's head call and top agent, so its cost grows with
the number of groups, not with the number of calls or agents.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left, insort

from omnivox.routing.estimator import WaitEstimator
from omnivox.routing.strategies import (
    AgentKey,
    AgentRecord,
    CallKey,
    Signature,
    agent_key,
    eligible,
)
from omnivox.routing.types import QueueConfig

__all__ = ["Group", "QueueIndex"]

#: A queue keeps empty groups (their agent heaps are warm) up to this many groups.
MAX_IDLE_GROUPS = 256


class Group:
    __slots__ = ("agents", "calls", "sig")

    def __init__(self, sig: Signature) -> None:
        self.sig = sig
        self.calls: list[CallKey] = []
        self.agents: list[tuple[AgentKey, int]] = []

    def push_agent(self, config: QueueConfig, agent: AgentRecord) -> None:
        if eligible(agent.candidate.skills, self.sig):
            key = agent_key(config.strategy, agent, config.id, self.sig)
            heapq.heappush(self.agents, (key, agent.epoch))

    def rebuild(self, config: QueueConfig, ready: list[AgentRecord]) -> None:
        self.agents = []
        for agent in ready:
            if eligible(agent.candidate.skills, self.sig):
                key = agent_key(config.strategy, agent, config.id, self.sig)
                self.agents.append((key, agent.epoch))
        heapq.heapify(self.agents)

    def top_agent(self, agents: dict[str, AgentRecord]) -> str | None:
        """The best ready agent for this group, dropping stale entries on the way."""
        heap = self.agents
        while heap:
            (key, epoch) = heap[0]
            agent = agents.get(key[3])
            if agent is not None and agent.ready and agent.epoch == epoch:
                return key[3]
            heapq.heappop(heap)
        return None

    def best_agent_except(
        self, agents: dict[str, AgentRecord], declined: dict[str, int]
    ) -> str | None:
        """Best ready agent who has not declined this call in their current epoch.

        Pops the declining agents off temporarily: at most ``len(declined)`` of them.
        """
        held: list[tuple[AgentKey, int]] = []
        found: str | None = None
        while (aid := self.top_agent(agents)) is not None:
            if declined.get(aid) != agents[aid].epoch:
                found = aid
                break
            held.append(heapq.heappop(self.agents))
        for entry in held:
            heapq.heappush(self.agents, entry)
        return found


class QueueIndex:
    __slots__ = ("calls", "config", "estimator", "groups", "ready")

    def __init__(self, config: QueueConfig, estimator: WaitEstimator) -> None:
        self.config = config
        self.estimator = estimator
        self.calls: list[CallKey] = []  # every waiting call of the queue: positions
        self.groups: dict[Signature, Group] = {}
        self.ready: dict[str, AgentRecord] = {}  # ready agents serving this queue

    def group(self, sig: Signature) -> Group:
        group = self.groups.get(sig)
        if group is None:
            if len(self.groups) >= MAX_IDLE_GROUPS:
                self.groups = {s: g for s, g in self.groups.items() if g.calls}
            group = self.groups[sig] = Group(sig)
            group.rebuild(self.config, list(self.ready.values()))
        return group

    def add_call(self, key: CallKey, sig: Signature) -> int:
        """Insert a waiting call; returns its 1-based position in the queue."""
        insort(self.calls, key)
        insort(self.group(sig).calls, key)
        return bisect_left(self.calls, key) + 1

    def remove_call(self, key: CallKey, sig: Signature) -> None:
        _remove(self.calls, key)
        _remove(self.groups[sig].calls, key)

    def position(self, key: CallKey) -> int:
        return bisect_left(self.calls, key) + 1

    def add_ready(self, agent: AgentRecord) -> None:
        self.ready[agent.candidate.id] = agent
        limit = 2 * len(self.ready) + 32
        for group in self.groups.values():
            group.push_agent(self.config, agent)
            if len(group.agents) > limit:  # mostly stale: compact
                group.rebuild(self.config, list(self.ready.values()))

    def rebuild_agents(self) -> None:
        ready = list(self.ready.values())
        for group in self.groups.values():
            group.rebuild(self.config, ready)


def _remove(line: list[CallKey], key: CallKey) -> None:
    i = bisect_left(line, key)
    if i < len(line) and line[i] == key:
        del line[i]
