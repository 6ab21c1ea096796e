"""The legal window read through the tallies equals a count of every stored call.

A floor runs in virtual time: calls placed (on campaigns, on queues, in another
organisation), answered, handed from a queue to a campaign while open, ended as live,
abandoned or machine calls; AMD reviews written and replaced; a campaign's window
lengthened and shortened; the tally job run at any moment, twice in a row, or never;
and a call left open for days. After every step each campaign's window, under each rule,
read as the pacer and the wallboard read it, equals a brute-force count of the rows, on
SQLite and PostgreSQL. And the tallies are really used: the job moves each mark to the
edge the open calls allow, and a window it covers is read from them.
"""

from __future__ import annotations

import asyncio
import itertools
import random
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from tests.integration.dialer.window_brute import brute_window
from tests.support import Env

from omnivox.campaigns.models import Campaign
from omnivox.dialer.floor import WindowAsk, WindowCounts, window_counts, windows_counts
from omnivox.dialer.models import (
    MACHINE_CONFIRMED,
    PERSON_AFTER_MACHINE,
    AmdReview,
    WindowMark,
    WindowTally,
)
from omnivox.dialer.window_tally import (
    NOT_ENDED,
    SETTLE,
    marks_of,
    plan_window,
    slot_floor,
    tally_windows,
)
from omnivox.telephony.models import Call

START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
ENDED = ["completed", "abandoned", "no_answer", "busy", "failed", "canceled"]
ANSWERED_OPEN = ["answered_human", "answered_machine", "connected", "on_hold", "wrap_up"]
REASONS = [None, "machine", "abandoned", "agent_hangup", "customer_hangup"]
_orgs = itertools.count()


def _campaign(org: str, name: str, hours: int, status: str, estimate: str) -> Campaign:
    return Campaign(
        organization_id=org,
        name=name,
        dial_mode="predictive",
        status=status,
        window_start=time(0),
        window_end=time(23, 59),
        abandon_rate_cap=Decimal("0.03"),
        abandon_window_hours=hours,
        agent_ids=[],
        amd_false_positive_estimate=Decimal(estimate),
    )


def _call(org: str, owner: tuple[str, str], created: datetime, n: int) -> Call:
    return Call(
        organization_id=org,
        direction="outbound",
        owner_kind=owner[0],
        owner_id=owner[1],
        state="dialing",
        provider="sandbox",
        from_number="+14155550100",
        to_number=f"+1415555{n % 10000:04d}",
        conference_name=f"ovx-{org[:8]}-{n}",
        created_at=created,
    )


def _end(call: Call, rng: random.Random, at: datetime) -> None:
    """As the call state machine ends a call (answered or not)."""
    if call.answered_at is None and rng.random() < 0.6:
        call.answered_at = max(call.created_at, at - timedelta(seconds=rng.uniform(0, 90)))
    call.state = rng.choice(ENDED) if call.answered_at is None else rng.choice(ENDED[:2])
    call.end_reason = rng.choice(REASONS)
    call.ended_at = at


class Floor:
    """One organisation's campaigns and calls, moved through virtual time."""

    def __init__(self, env: Env, rng: random.Random) -> None:
        self.env, self.rng, self.now = env, rng, START
        self.n = 0
        self.checked_tallied = 0

    async def build(self, stuck: bool) -> None:
        k = next(_orgs)
        self.org = await self.env.org(f"tally{k}")
        self.other = await self.env.org(f"tallyo{k}")
        async with self.env.sessions() as s:
            # The US rule (30 days), the UK rule (a day, AMD false positives counted), a
            # paused campaign, and a finished one the job leaves alone.
            self.us = _campaign(self.org, "US", 720, "active", "0")
            self.uk = _campaign(self.org, "UK", 24, "active", "0.25")
            self.paused = _campaign(self.org, "Paused", 24, "paused", "0")
            self.done = _campaign(self.org, "Done", 24, "completed", "0")
            theirs = _campaign(self.other, "Theirs", 24, "active", "0")
            s.add_all([self.us, self.uk, self.paused, self.done, theirs])
            await s.flush()
            self.campaign_ids = [c.id for c in (self.us, self.uk, self.paused, self.done)]
            self.theirs = theirs.id
            # Forty days of ended calls before the floor opens.
            for _ in range(300):
                at = START - timedelta(hours=self.rng.uniform(0, 24 * 40))
                call = self._new(at, self._owner())
                _end(call, self.rng, at + timedelta(seconds=self.rng.uniform(5, 600)))
                s.add(call)
            if stuck:  # placed three days ago and never heard of again
                s.add(self._new(START - timedelta(days=3), ("queue", "q-stuck")))
            await s.commit()

    def _owner(self) -> tuple[str, str]:
        pick = self.rng.random()
        if pick < 0.8:
            return ("campaign", self.rng.choice(self.campaign_ids))
        if pick < 0.9:
            return ("queue", "q1")
        return ("queue", "q2")

    def _new(self, created: datetime, owner: tuple[str, str]) -> Call:
        self.n += 1
        org = self.org if self.rng.random() < 0.93 else self.other
        return _call(org, owner, created, self.n)

    async def step(self, actions: frozenset[str]) -> None:
        """The actions, each in its own transaction, in an order of the floor's choosing."""
        for action in self.rng.sample(sorted(actions), len(actions)):
            await self.act(action)

    async def act(self, action: str) -> None:
        rng = self.rng
        async with self.env.sessions() as s:
            open_calls = (
                await s.scalars(
                    select(Call).where(Call.organization_id == self.org, Call.state.in_(NOT_ENDED))
                )
            ).all()
            if action == "place":
                for _ in range(rng.randint(1, 8)):
                    created = self.now - timedelta(seconds=rng.uniform(0, 120))
                    s.add(self._new(created, self._owner()))
            elif action == "answer":
                for call in open_calls:
                    if call.answered_at is None and rng.random() < 0.6:
                        call.answered_at = self.now
                        call.state = rng.choice(ANSWERED_OPEN)
            elif action == "end":
                for call in open_calls:
                    if call.owner_id != "q-stuck" and rng.random() < 0.6:
                        _end(call, rng, self.now)
            elif action == "hand_over":  # a queue's open call passes to a campaign
                for call in open_calls:
                    if call.owner_kind == "queue" and call.owner_id == "q1":
                        call.owner_kind, call.owner_id = "campaign", self.uk.id
            elif action == "review":
                calls = (
                    await s.scalars(
                        select(Call).where(
                            Call.organization_id == self.org, Call.owner_kind == "campaign"
                        )
                    )
                ).all()
                for call in rng.sample(list(calls), min(len(calls), 6)):
                    review = await s.scalar(select(AmdReview).where(AmdReview.call_id == call.id))
                    verdict = rng.choice([PERSON_AFTER_MACHINE, MACHINE_CONFIRMED])
                    if review is None:
                        s.add(
                            AmdReview(
                                organization_id=self.org,
                                call_id=call.id,
                                campaign_id=call.owner_id,
                                verdict=verdict,
                                answered_by="machine_start",
                            )
                        )
                    else:
                        review.verdict = verdict
            elif action == "rehours":
                campaign = await s.get(Campaign, rng.choice(self.campaign_ids[:2]))
                assert campaign is not None
                campaign.abandon_window_hours = rng.choice([24, 48, 720])
            elif action == "tally":
                await tally_windows(s, self.org, self.now)
                if rng.random() < 0.3:  # run again at once: nothing counted twice
                    await tally_windows(s, self.org, self.now)
            await s.commit()

    async def check(self) -> None:
        async with self.env.sessions() as s:
            rows = (await s.execute(select(Call))).all()
            rows = [r[0] for r in rows]
            verdicts = dict((await s.execute(select(AmdReview.call_id, AmdReview.verdict))).all())
            marks = await marks_of(s, self.org, self.campaign_ids)
            asks = [
                WindowAsk(cid, hours, estimate)
                for cid in self.campaign_ids
                for hours in (24, 720)
                for estimate in (None, 0.25)
            ]
            for ask in asks:
                plan = plan_window(
                    self.now - timedelta(hours=ask.hours), marks.get(ask.campaign_id)
                )
                self.checked_tallied += plan.tallied is not None
                expected = brute_window(rows, verdicts, self.org, ask, self.now)
                one = await window_counts(
                    s, self.org, ask.campaign_id, self.now, ask.hours, ask.amd_fp_estimate
                )
                assert one == expected, (ask, plan, self.now)
            grouped = await windows_counts(s, self.org, asks[::4], self.now)
            for ask in asks[::4]:
                assert grouped[ask.campaign_id] == brute_window(
                    rows, verdicts, self.org, ask, self.now
                )


ACTIONS = ["place", "answer", "end", "hand_over", "review", "rehours", "tally"]
STEPS = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=600),  # minutes to the step
        st.frozensets(st.sampled_from(ACTIONS), min_size=1),
    ),
    min_size=4,
    max_size=25,
)


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=STEPS, seed=st.integers(0, 2**32), stuck=st.booleans())
async def test_window_through_tallies_equals_a_count_of_the_rows(
    env: Env, steps: list[tuple[int, frozenset[str]]], seed: int, stuck: bool
) -> None:
    floor = Floor(env, random.Random(seed))
    await floor.build(stuck)
    await floor.check()
    for minutes, actions in [*steps, (1, frozenset({"tally"}))]:
        floor.now += timedelta(minutes=minutes)
        await floor.step(actions)
        await floor.check()
    if not stuck:  # the 30-day windows were read through the tallies at the end
        assert floor.checked_tallied > 0


async def test_the_job_moves_each_mark_to_the_edge_the_open_calls_allow(env: Env) -> None:
    """A quiet floor: every live campaign's tallies reach ``SETTLE`` before now on a slot
    boundary, its windows are read from them, and they equal the rows; an open call then
    holds the edge back to before its creation; ending it lets the edge move on."""
    floor = Floor(env, random.Random(7))
    await floor.build(stuck=False)
    floor.now += timedelta(hours=1)
    await floor.act("tally")
    async with env.sessions() as s:
        marks = await marks_of(s, floor.org, floor.campaign_ids)
        tallied = await s.scalar(
            select(func.count())
            .select_from(WindowTally)
            .where(WindowTally.organization_id == floor.org)
        )
    edge = slot_floor(floor.now - SETTLE)
    assert set(marks) == {floor.us.id, floor.uk.id, floor.paused.id}  # not the finished one
    assert all(until == edge for _since, until in marks.values())
    assert marks[floor.us.id][0] == slot_floor(floor.now - timedelta(hours=720))
    assert tallied and tallied >= 10
    await floor.check()
    assert floor.checked_tallied > 0

    # A call placed now and left open: the edge stays before it while it is open.
    async with env.sessions() as s:
        held = _call(floor.org, ("campaign", floor.uk.id), floor.now, 99_999)
        s.add(held)
        await s.commit()
        held_id = held.id
    placed = floor.now
    floor.now += timedelta(hours=3)
    await floor.act("tally")
    async with env.sessions() as s:
        marks = await marks_of(s, floor.org, floor.campaign_ids)
        assert all(until == slot_floor(placed - SETTLE) for _s, until in marks.values())
        call = await s.get(Call, held_id)
        assert call is not None
        call.answered_at, call.state, call.end_reason = floor.now, "abandoned", "abandoned"
        await s.commit()
    await floor.check()
    await floor.act("tally")
    async with env.sessions() as s:
        marks = await marks_of(s, floor.org, floor.campaign_ids)
    assert all(until == slot_floor(floor.now - SETTLE) for _s, until in marks.values())
    await floor.check()


@pytest.mark.postgres
async def test_two_nodes_tallying_at_once_count_each_call_once(env: Env) -> None:
    """Two job runs at the same moment on separate connections (two nodes): the second
    waits for the first's marks and adds nothing; the windows equal the rows."""
    if env.settings.database_url.startswith("sqlite"):
        pytest.skip("one writer at a time on SQLite: the job runs in the one server process")
    floor = Floor(env, random.Random(11))
    await floor.build(stuck=False)
    floor.now += timedelta(hours=1)

    async def run() -> int:
        async with env.sessions() as s:
            n = await tally_windows(s, floor.org, floor.now)
            await asyncio.sleep(0.05)  # hold the marks a moment: the other run waits
            await s.commit()
            return n

    counted = await asyncio.gather(run(), run())
    assert sorted(counted)[0] == 0 and sorted(counted)[1] > 0
    async with env.sessions() as s:
        marks = (
            await s.scalars(select(WindowMark).where(WindowMark.organization_id == floor.org))
        ).all()
    assert len(marks) == 3
    await floor.check()


async def test_the_job_layer_tallies_every_organisation_by_itself(env: Env) -> None:
    """Nobody runs anything: the periodic job moves the marks of every active
    organisation's live campaigns, once however often it runs."""
    from omnivox.app import all_jobs
    from omnivox.dialer.tally_job import TALLY_JOB
    from omnivox.jobs import JobContext

    floors = [Floor(env, random.Random(seed)) for seed in (21, 22)]
    for floor in floors:
        await floor.build(stuck=False)
    now = START + timedelta(hours=2)
    env.clock.set(now)
    task = all_jobs(env.settings).tasks[TALLY_JOB]
    assert task.every_seconds == env.settings.dialer_window_tally_every_seconds == 60
    context = JobContext(sessions=env.sessions, settings=env.settings, clock=env.clock, queue=None)  # type: ignore[arg-type]
    for _ in range(2):
        await task.fn(context, {})
    for floor in floors:
        floor.now = now
        async with env.sessions() as s:
            marks = await marks_of(s, floor.org, floor.campaign_ids)
        assert len(marks) == 3
        assert all(until == slot_floor(now - SETTLE) for _s, until in marks.values())
        await floor.check()


async def test_a_run_that_dies_half_way_leaves_no_trace(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The job dies after tallying one campaign of two (the process killed, the database
    gone): nothing of that run is kept, the windows still equal the rows, and the next
    run tallies everything once."""
    from omnivox.dialer import window_tally

    floor = Floor(env, random.Random(5))
    await floor.build(stuck=False)
    floor.now += timedelta(hours=1)
    real = window_tally._tally_range
    calls = 0

    async def dies(*args: Any) -> int:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise ConnectionError("server closed the connection unexpectedly")
        return await real(*args)

    monkeypatch.setattr(window_tally, "_tally_range", dies)
    with pytest.raises(ConnectionError):
        await floor.act("tally")
    async with env.sessions() as s:
        assert await marks_of(s, floor.org, floor.campaign_ids) == {}
        assert not await s.scalar(
            select(func.count())
            .select_from(WindowTally)
            .where(WindowTally.organization_id == floor.org)
        )
    await floor.check()
    monkeypatch.setattr(window_tally, "_tally_range", real)
    await floor.act("tally")
    async with env.sessions() as s:
        assert len(await marks_of(s, floor.org, floor.campaign_ids)) == 3
    await floor.check()
    assert floor.checked_tallied > 0


async def test_another_organisations_tallies_are_never_read(env: Env) -> None:
    """Asked for another organisation's campaign, the window is empty: its tallies, like
    its calls, belong to that organisation only."""
    floor = Floor(env, random.Random(3))
    await floor.build(stuck=False)
    async with env.sessions() as s:
        for n in range(5):
            at = START - timedelta(hours=n + 1)
            call = _call(floor.other, ("campaign", floor.theirs), at, 50_000 + n)
            call.answered_at, call.state, call.end_reason = at, "abandoned", "abandoned"
            s.add(call)
        await s.commit()
    async with env.sessions() as s:
        assert await tally_windows(s, floor.other, START) == 5
        await s.commit()
    ask = [WindowAsk(floor.theirs, 24)]
    async with env.sessions() as s:
        theirs = await windows_counts(s, floor.other, ask, START)
        ours = await windows_counts(s, floor.org, ask, START)
    assert theirs[floor.theirs] == WindowCounts(abandons=5, live_answers=5)
    assert ours[floor.theirs] == WindowCounts(abandons=0, live_answers=0)


async def test_a_call_stuck_open_is_named_when_it_holds_the_tallies_back(env: Env) -> None:
    """A call the carrier never ended holds every campaign's tallies back (exact, but
    slower): the job says which call, once it holds them back more than an hour."""
    from structlog.testing import capture_logs

    quiet, stuck = Floor(env, random.Random(8)), Floor(env, random.Random(9))
    await quiet.build(stuck=False)
    await stuck.build(stuck=True)
    async with env.sessions() as s:
        [held] = (
            await s.scalars(
                select(Call.id).where(Call.organization_id == stuck.org, Call.owner_id == "q-stuck")
            )
        ).all()
        with capture_logs() as logs:
            await tally_windows(s, quiet.org, START)
            await tally_windows(s, stuck.org, START)
        await s.commit()
    said = [e for e in logs if e["event"] == "window tallies held back by an open call"]
    assert len(said) == 1
    assert said[0]["organization_id"] == stuck.org and said[0]["call_id"] == held
    assert said[0]["open_minutes"] == 3 * 24 * 60
    await stuck.check()
