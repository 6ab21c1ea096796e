"""Properties of the ACD router over random event runs.

* Differential: the indexed ``Router`` makes exactly the decisions of the brute-force
  ``NaiveRouter`` (the specification) after any sequence of events.
* Invariants after every step: no call and no agent in two outstanding offers; every offer
  respects the call's skills and the agent's queues.
* No starvation: given enough agent availability every call is offered; with aging, even
  a stream of higher-priority calls cannot hold a low-priority call back for ever.
* FIFO within a priority, higher priority first.
"""

from __future__ import annotations

from datetime import datetime

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from tests.unit.routing.helpers import agent, at, call

from omnivox.routing import Offer, QueueConfig, Router, Strategy
from omnivox.routing.naive import NaiveRouter

QUEUES = ["q0", "q1"]
AGENTS = [f"a{i}" for i in range(4)]
LEVELS = st.sampled_from([1, 5, 10])
SKILLS = st.dictionaries(st.sampled_from(["es", "fr"]), LEVELS, max_size=2)


def pairs(offers: list[Offer]) -> list[tuple[str, str]]:
    return [(o.call.id, o.agent_id) for o in offers]


class RouterVsSpec(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.now = 1000.0
        self.n_calls = 0
        self.candidates: dict[str, object] = {}

    @initialize(
        strategies=st.lists(st.sampled_from(list(Strategy)), min_size=2, max_size=2),
        priorities=st.lists(st.integers(0, 2), min_size=2, max_size=2),
        aging=st.sampled_from([None, 30.0]),
    )
    def setup(self, strategies: list[Strategy], priorities: list[int], aging: float | None):
        self.router = Router(aging_seconds_per_priority=aging)
        self.spec = NaiveRouter(aging_seconds_per_priority=aging)
        for qid, strategy, priority in zip(QUEUES, strategies, priorities, strict=True):
            for r in (self.router, self.spec):
                r.upsert_queue(QueueConfig(qid, strategy, priority))

    def _tick(self) -> datetime:
        self.now += 1
        return at(self.now)

    @rule(
        queue=st.sampled_from(QUEUES),
        back=st.integers(0, 50),
        priority=st.one_of(st.none(), st.integers(0, 3)),
        skills=SKILLS,
        callback=st.booleans(),
    )
    def enqueue(self, queue, back, priority, skills, callback) -> None:
        self.n_calls += 1
        c = call(f"c{self.n_calls}", queue, self.now - back, priority, skills, callback)
        assert self.router.enqueue(c) >= 1
        self.spec.enqueue(c)

    @rule(
        aid=st.sampled_from(AGENTS),
        idle_back=st.integers(0, 100),
        queues=st.dictionaries(st.sampled_from(QUEUES), st.integers(0, 2), min_size=1),
        skills=SKILLS,
    )
    def ready(self, aid, idle_back, queues, skills) -> None:
        if aid in self.router.offers.values():
            return  # the agent machine refuses "available" while reserved
        cand = agent(aid, self.now - idle_back, queues, skills)
        self.candidates[aid] = cand
        self.router.agent_ready(cand)
        self.spec.agent_ready(cand)

    @rule(aid=st.sampled_from(AGENTS))
    def unready(self, aid) -> None:
        assert self.router.agent_unready(aid) == self.spec.agent_unready(aid)

    @precondition(lambda self: self.n_calls > 0)
    @rule(data=st.data())
    def hang_up(self, data) -> None:
        cid = f"c{data.draw(st.integers(1, self.n_calls))}"
        assert self.router.remove_call(cid) == self.spec.remove_call(cid)

    @rule(limit=st.sampled_from([None, 1, 2]))
    def decide(self, limit) -> None:
        now = self._tick()
        assert pairs(self.router.next_assignments(now, limit)) == pairs(
            self.spec.next_assignments(now, limit)
        )

    @precondition(lambda self: len(self.router.offers) > 0)
    @rule(data=st.data(), accept=st.booleans(), stays=st.booleans())
    def answer(self, data, accept, stays) -> None:
        cid = data.draw(st.sampled_from(sorted(self.router.offers)))
        if accept:
            now = self._tick()
            assert self.router.accept(cid, now) == self.spec.accept(cid, now)
        else:
            assert self.router.decline(cid, stays) == self.spec.decline(cid, stays)

    @invariant()
    def one_offer_per_call_and_per_agent(self) -> None:
        if not hasattr(self, "router"):
            return
        offers = dict(self.router.offers)
        assert len(set(offers.values())) == len(offers)
        spec_offers = {cid: c.offered_to for cid, c in self.spec.calls.items() if c.offered_to}
        assert offers == spec_offers

    @invariant()
    def offers_respect_skills_and_queues(self) -> None:
        if not hasattr(self, "router"):
            return
        for cid, aid in self.router.offers.items():
            c = self.spec.calls[cid].call
            cand = self.spec.agents[aid].candidate
            assert c.queue_id in cand.queues
            for skill, minimum in c.required_skills.items():
                assert cand.skills.get(skill, 0) >= minimum


TestRouterVsSpec = RouterVsSpec.TestCase
TestRouterVsSpec.settings = settings(max_examples=200, stateful_step_count=30, deadline=None)


CALLS = st.lists(st.tuples(st.integers(0, 3), st.integers(0, 100), SKILLS), min_size=1, max_size=40)


@settings(max_examples=100, deadline=None)
@given(calls=CALLS, n_agents=st.integers(1, 4), strategy=st.sampled_from(list(Strategy)))
def test_every_call_is_eventually_offered(calls, n_agents, strategy) -> None:
    """Agents able to take anything keep coming back: every call is offered, and the
    number of decision rounds is bounded by the calls per agent (nothing is skipped)."""
    router = Router()
    router.upsert_queue(QueueConfig("q", strategy))
    for n, (priority, t, skills) in enumerate(calls):
        router.enqueue(call(f"c{n}", t=t, priority=priority, skills=skills))
    expert = {"es": 10, "fr": 10, "bill": 10}
    offered: list[str] = []
    for rnd in range(len(calls)):
        for i in range(n_agents):
            router.agent_ready(agent(f"a{i}", idle=rnd, skills=expert))
        for offer in router.next_assignments(at(200 + rnd)):
            router.accept(offer.call.id, at(200 + rnd))
            offered.append(offer.call.id)
    assert sorted(offered) == sorted(f"c{n}" for n in range(len(calls)))


@settings(max_examples=100, deadline=None)
@given(calls=CALLS)
def test_priority_first_then_fifo(calls) -> None:
    router = Router()
    router.upsert_queue(QueueConfig("q"))
    for n, (priority, t, _) in enumerate(calls):
        router.enqueue(call(f"c{n}", t=t, priority=priority))
    order = []
    for rnd in range(len(calls)):
        router.agent_ready(agent("a", idle=rnd))
        [offer] = router.next_assignments(at(200 + rnd))
        router.accept(offer.call.id, at(200 + rnd))
        order.append(int(offer.call.id[1:]))
    # higher priority first; equal priority by enqueue time, then by arrival in the router
    assert order == sorted(range(len(calls)), key=lambda n: (-calls[n][0], calls[n][1], n))


@settings(max_examples=50, deadline=None)
@given(aging=st.integers(5, 60), gap=st.integers(1, 3), low_at=st.integers(0, 20))
def test_aging_bounds_the_wait_of_a_low_priority_call(aging, gap, low_at) -> None:
    """One agent, one call handled per second, a high-priority call arriving every second:
    with strict priority the low one would wait for ever; with aging it is offered once
    it has waited ``gap x aging`` seconds more than the high-priority call at the head."""
    router = Router(aging_seconds_per_priority=aging)
    router.upsert_queue(QueueConfig("q"))
    router.enqueue(call("low", t=low_at, priority=0))
    served_at = None
    for t in range(low_at, low_at + gap * aging + 10):
        router.enqueue(call(f"h{t}", t=t, priority=gap))
        router.agent_ready(agent("a", idle=t))
        [offer] = router.next_assignments(at(t))
        router.accept(offer.call.id, at(t))
        if offer.call.id == "low":
            served_at = t
            break
    assert served_at is not None
    assert served_at - low_at <= gap * aging + 1
