"""The ACD router: table-driven examples for each strategy, offers, overflow, positions."""

from __future__ import annotations

import pytest
from tests.unit.routing.helpers import agent, at, call

from omnivox.routing import (
    OverflowKind,
    OverflowTarget,
    QueueConfig,
    Router,
    RoutingError,
    Strategy,
)
from omnivox.routing.naive import NaiveRouter

S = Strategy

# (strategy, agents as (id, idle since, skills, last offered), call skills, expected agent)
CASES = [
    ("longest idle wins", S.LONGEST_IDLE, [("a", 30, {}, None), ("b", 10, {}, None)], {}, "b"),
    (
        "longest idle still respects skills",
        S.LONGEST_IDLE,
        [("a", 0, {}, None), ("b", 50, {"es": 3}, None)],
        {"es": 2},
        "b",
    ),
    (
        "skills: below the minimum is not eligible",
        S.SKILLS,
        [("a", 0, {"es": 4}, None), ("b", 50, {"es": 5}, None)],
        {"es": 5},
        "b",
    ),
    (
        "skills: highest proficiency first",
        S.SKILLS,
        [("a", 0, {"es": 6}, None), ("b", 50, {"es": 9}, None)],
        {"es": 5},
        "b",
    ),
    (
        "skills: equal proficiency -> longest idle",
        S.SKILLS,
        [("a", 40, {"es": 7}, None), ("b", 20, {"es": 7}, None)],
        {"es": 5},
        "b",
    ),
    (
        "skills: needs all required skills",
        S.SKILLS,
        [("a", 0, {"es": 10}, None), ("b", 50, {"es": 5, "bill": 2}, None)],
        {"es": 5, "bill": 1},
        "b",
    ),
    (
        "skills: score sums the required skills only",
        S.SKILLS,
        [("a", 0, {"es": 6, "fr": 10}, None), ("b", 50, {"es": 8}, None)],
        {"es": 5},
        "b",
    ),
    (
        "skills: no required skill -> longest idle",
        S.SKILLS,
        [("a", 30, {"es": 10}, None), ("b", 10, {}, None)],
        {},
        "b",
    ),
    (
        "round robin: never offered goes first",
        S.ROUND_ROBIN,
        [("a", 0, {}, 100), ("b", 50, {}, None)],
        {},
        "b",
    ),
    (
        "round robin: least recently offered",
        S.ROUND_ROBIN,
        [("a", 0, {}, 100), ("b", 50, {}, 60)],
        {},
        "b",
    ),
]


@pytest.mark.parametrize("router_cls", [Router, NaiveRouter])
@pytest.mark.parametrize(
    ("name", "strategy", "agents", "needs", "expected"), CASES, ids=[c[0] for c in CASES]
)
def test_strategy_picks(router_cls, name, strategy, agents, needs, expected) -> None:
    router = router_cls()
    router.upsert_queue(QueueConfig("q", strategy))
    for aid, idle, skills, last in agents:
        router.agent_ready(agent(aid, idle, skills=skills, last_offered=last))
    router.enqueue(call("c", skills=needs))
    [offer] = router.next_assignments(at(100))
    assert offer.agent_id == expected


def test_round_robin_rotates_through_every_agent() -> None:
    router = Router()
    router.upsert_queue(QueueConfig("q", S.ROUND_ROBIN))
    for i, aid in enumerate("abc"):
        router.agent_ready(agent(aid, idle=i))
    order = []
    for n in range(9):
        router.enqueue(call(f"c{n}", t=n))
        [offer] = router.next_assignments(at(100 + n))
        router.accept(offer.call.id, at(100 + n))
        order.append(offer.agent_id)
        # back with an unchanged idle-since: longest idle would pick "a" every time
        router.agent_ready(agent(offer.agent_id, idle="abc".index(offer.agent_id)))
    assert order == list("abc" * 3)


def test_primary_agents_before_blended() -> None:
    router = Router()
    router.upsert_queue(QueueConfig("sales"))
    router.agent_ready(agent("blended", idle=0, queues={"sales": 0, "support": 5}))
    router.agent_ready(agent("primary", idle=50, queues={"sales": 5}))
    router.enqueue(call("c", queue="sales"))
    assert [o.agent_id for o in router.next_assignments(at(100))] == ["primary"]


def test_higher_priority_queue_goes_first_for_a_blended_agent() -> None:
    router = Router()
    router.upsert_queue(QueueConfig("low", priority=0))
    router.upsert_queue(QueueConfig("high", priority=5))
    router.enqueue(call("old-low", queue="low", t=0))
    router.enqueue(call("new-high", queue="high", t=60))
    router.agent_ready(agent("a", queues={"low": 0, "high": 0}))
    assert [o.call.id for o in router.next_assignments(at(100))] == ["new-high"]


def test_call_priority_overrides_queue_priority() -> None:
    router = Router()
    router.upsert_queue(QueueConfig("q", priority=1))
    router.enqueue(call("normal", t=0))
    router.enqueue(call("vip", t=30, priority=9))
    router.agent_ready(agent("a"))
    assert [o.call.id for o in router.next_assignments(at(100))] == ["vip"]


def test_aging_lets_an_old_low_priority_call_overtake() -> None:
    router = Router(aging_seconds_per_priority=60)
    router.upsert_queue(QueueConfig("q"))
    router.enqueue(call("low", t=0, priority=0))  # effective start 0
    router.enqueue(call("high", t=90, priority=1))  # effective start 30: 90 s - 60 s
    router.agent_ready(agent("a"))
    assert [o.call.id for o in router.next_assignments(at(100))] == ["low"]


def test_a_call_nobody_can_take_does_not_block_the_line() -> None:
    router = Router()
    router.upsert_queue(QueueConfig("q", S.SKILLS))
    router.enqueue(call("needs-de", t=0, skills={"de": 5}))
    router.enqueue(call("plain", t=10))
    router.agent_ready(agent("a", skills={"es": 8}))
    assert [o.call.id for o in router.next_assignments(at(100))] == ["plain"]
    assert router.position("needs-de") == 1


def test_one_offer_per_agent_and_per_call() -> None:
    router = Router()
    router.upsert_queue(QueueConfig("q"))
    for n in range(3):
        router.enqueue(call(f"c{n}", t=n))
    router.agent_ready(agent("a"))
    assert [o.call.id for o in router.next_assignments(at(10))] == ["c0"]
    assert router.next_assignments(at(11)) == []  # the agent is reserved
    router.agent_ready(agent("b"))
    assert [(o.call.id, o.agent_id) for o in router.next_assignments(at(12))] == [("c1", "b")]
    with pytest.raises(RoutingError):
        router.agent_ready(agent("a"))  # still holding an offer


def test_declined_offer_moves_on_and_keeps_the_place() -> None:
    router = Router()
    router.upsert_queue(QueueConfig("q"))
    router.enqueue(call("c0", t=0))
    router.enqueue(call("c1", t=5))
    router.agent_ready(agent("a", idle=0))
    router.agent_ready(agent("b", idle=1))
    first = router.next_assignments(at(10), limit=1)
    assert [(o.call.id, o.agent_id) for o in first] == [("c0", "a")]
    assert router.decline("c0", agent_stays_ready=True) == "a"
    # c0 is back at the head; a declined it, so it goes to b; a takes c1.
    offers = router.next_assignments(at(11))
    assert {(o.call.id, o.agent_id) for o in offers} == {("c0", "b"), ("c1", "a")}


def test_missed_offer_puts_agent_away_and_the_call_can_return_to_them_later() -> None:
    router = Router()
    router.upsert_queue(QueueConfig("q"))
    router.enqueue(call("c0"))
    router.agent_ready(agent("a"))
    router.next_assignments(at(1))
    router.decline("c0")
    assert router.next_assignments(at(2)) == []
    router.agent_ready(agent("a", idle=3))  # back from the "missed" break
    assert [o.agent_id for o in router.next_assignments(at(4))] == ["a"]


def test_hang_up_during_offer_frees_the_agent() -> None:
    router = Router()
    router.upsert_queue(QueueConfig("q"))
    router.enqueue(call("c0"))
    router.enqueue(call("c1", t=1))
    router.agent_ready(agent("a"))
    router.next_assignments(at(2), limit=1)
    assert router.remove_call("c0") == "a"
    assert [o.call.id for o in router.next_assignments(at(3))] == ["c1"]


def test_agent_leaving_during_offer_returns_the_call_to_its_place() -> None:
    router = Router()
    router.upsert_queue(QueueConfig("q"))
    router.enqueue(call("c0"))
    router.enqueue(call("c1", t=1))
    router.agent_ready(agent("a"))
    router.next_assignments(at(2), limit=1)
    assert router.agent_unready("a") == "c0"
    assert router.position("c0") == 1
    router.agent_ready(agent("a", idle=3))  # not a decline: may get c0 again
    assert [o.call.id for o in router.next_assignments(at(4), limit=1)] == ["c0"]


def test_overflow_due_takes_calls_past_max_wait() -> None:
    target = OverflowTarget(OverflowKind.VOICEMAIL, "vm-1")
    router = Router()
    router.upsert_queue(QueueConfig("q", max_wait_seconds=60, overflow=target))
    router.enqueue(call("old", t=0))
    router.enqueue(call("cb", t=0, callback=True))
    router.enqueue(call("new", t=30))
    assert router.overflow_due(at(59)) == []
    [due] = router.overflow_due(at(61))
    assert (due.call.id, due.target, due.waited_seconds) == ("old", target, 61)
    assert router.overflow_due(at(61)) == []  # taken out: reported once
    assert router.waiting("q") == 2
    assert [d.call.id for d in router.overflow_due(at(1000))] == ["new"]  # never the callback


def test_overflow_waits_for_an_outstanding_offer() -> None:
    router = Router()
    router.upsert_queue(QueueConfig("q", max_wait_seconds=10))
    router.enqueue(call("c"))
    router.agent_ready(agent("a"))
    router.next_assignments(at(5))
    assert router.overflow_due(at(20)) == []
    router.decline("c")
    assert [d.call.id for d in router.overflow_due(at(21))] == ["c"]


def test_changing_max_wait_retimes_overflow() -> None:
    router = Router()
    router.upsert_queue(QueueConfig("q", max_wait_seconds=100))
    router.enqueue(call("c"))
    router.upsert_queue(QueueConfig("q", max_wait_seconds=10))
    assert [d.call.id for d in router.overflow_due(at(11))] == ["c"]


def test_changing_strategy_reranks_ready_agents() -> None:
    router = Router()
    router.upsert_queue(QueueConfig("q", S.LONGEST_IDLE))
    router.agent_ready(agent("idle", idle=0, skills={"es": 2}))
    router.agent_ready(agent("expert", idle=50, skills={"es": 9}))
    router.enqueue(call("c", skills={"es": 1}))
    router.upsert_queue(QueueConfig("q", S.SKILLS))
    assert [o.agent_id for o in router.next_assignments(at(60))] == ["expert"]


def test_positions_and_estimated_wait_from_real_waits() -> None:
    router = Router()
    router.upsert_queue(QueueConfig("q"))
    assert router.enqueue(call("c0", t=0)) == 1
    assert router.enqueue(call("c1", t=1)) == 2
    assert router.estimated_wait("c1") is None  # no real waits yet: say nothing
    for n in range(3):  # three callers at position 1 who waited 30 s each
        router.enqueue(call(f"w{n}", t=-100 + n, priority=5))
        router.agent_ready(agent("a", idle=0))
        [offer] = router.next_assignments(at(-70 + n))
        router.accept(offer.call.id, at(-70 + n))
    assert router.position("c1") == 2
    assert router.estimated_wait("c1") == pytest.approx(60.0)


def test_agents_ready_before_their_queue_exists_join_it() -> None:
    router = Router()
    router.agent_ready(agent("a", queues={"q": 0}))
    router.upsert_queue(QueueConfig("q"))
    router.enqueue(call("c"))
    assert [o.agent_id for o in router.next_assignments(at(1))] == ["a"]


def test_refusals() -> None:
    router = Router()
    with pytest.raises(RoutingError, match="unknown queue"):
        router.enqueue(call("c"))
    router.upsert_queue(QueueConfig("q"))
    router.enqueue(call("c"))
    with pytest.raises(RoutingError, match="already queued"):
        router.enqueue(call("c"))
    with pytest.raises(RoutingError, match="no outstanding offer"):
        router.accept("c", at(1))
    with pytest.raises(RoutingError, match="1-10"):
        call("x", skills={"es": 11})
    with pytest.raises(RoutingError, match="aging"):
        Router(aging_seconds_per_priority=0)
    with pytest.raises(RoutingError, match="max wait"):
        QueueConfig("q", max_wait_seconds=0)


def test_remove_queue_returns_waiting_calls() -> None:
    router = Router()
    router.upsert_queue(QueueConfig("q"))
    router.enqueue(call("c"))
    assert [c.id for c in router.remove_queue("q")] == ["c"]
    assert router.position("c") is None
